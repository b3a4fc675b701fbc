-- restaurant_for_simulation --
-- The restaurant a simulation is about to reset, locked, with how many bookings of it no
-- simulation made (made over the API, say): those the simulation must never touch.
SELECT r.id, r.simulated,
       (SELECT count(*) FROM bookings b WHERE b.restaurant_id = r.id AND NOT b.simulated)
         AS live_bookings
FROM restaurants r WHERE r.slug = %(slug)s
FOR UPDATE;

-- clear_simulated_bookings --
-- A simulation's earlier bookings of the restaurant; never one made outside a simulation.
DELETE FROM bookings WHERE restaurant_id = %(restaurant_id)s AND simulated;

-- clear_simulated_blocks --
-- The broken tables of a simulation's earlier run (the restaurant is the simulations' alone):
-- left in place, each rerun would stack its day's blocks on the last one's.
DELETE FROM table_blocks WHERE restaurant_id = %(restaurant_id)s;

-- mark_restaurant_simulated --
-- The restaurant a simulation created is the simulation's: a later run may reset it.
UPDATE restaurants SET simulated = true WHERE id = %(restaurant_id)s;
