-- 0013: store-side discounts (整单优惠 / 抹零, issue 22 item 3) in the day's figures.
--
-- The day's order aggregate reads only this covering index; the figures now also sum the
-- discount taken off each sale (orders.discount_fen, added by 0010), so the index carries it.
DROP INDEX orders_day_stats;
CREATE INDEX orders_day_stats ON orders (business_day, status, left_store, channel, payment_method, local_hour, cashier_name, total_fen, discount_fen);
