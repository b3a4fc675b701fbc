-- restaurant_rules --
-- A restaurant's time zone, no-show grace and overstay step.
SELECT timezone, no_show_grace_minutes, overstay_step_minutes
FROM restaurants WHERE id = %(restaurant_id)s;

-- service_periods --
-- A restaurant's service periods in the order they were given.
SELECT key, weekdays, first_seating, last_seating, turn_minutes, slot_minutes, max_covers,
       max_parties
FROM service_periods WHERE restaurant_id = %(restaurant_id)s ORDER BY position;

-- closures --
-- A restaurant's closed dates.
SELECT date, reason FROM closures WHERE restaurant_id = %(restaurant_id)s ORDER BY date;

-- update_restaurant_rules --
-- The restaurant-level service settings.
UPDATE restaurants
SET no_show_grace_minutes = %(grace)s, overstay_step_minutes = %(step)s, updated_at = now()
WHERE id = %(restaurant_id)s;

-- clear_service_periods --
-- Replacing the rules starts from none.
DELETE FROM service_periods WHERE restaurant_id = %(restaurant_id)s;

-- clear_closures --
-- Replacing the rules starts from none.
DELETE FROM closures WHERE restaurant_id = %(restaurant_id)s;

-- insert_service_period --
-- One service period.
INSERT INTO service_periods (restaurant_id, key, position, weekdays, first_seating, last_seating,
                             turn_minutes, slot_minutes, max_covers, max_parties)
VALUES (%(restaurant_id)s, %(key)s, %(position)s, %(weekdays)s, %(first_seating)s,
        %(last_seating)s, %(turn_minutes)s, %(slot_minutes)s, %(max_covers)s, %(max_parties)s);

-- insert_closure --
-- One closed date.
INSERT INTO closures (restaurant_id, date, reason) VALUES (%(restaurant_id)s, %(date)s, %(reason)s);
