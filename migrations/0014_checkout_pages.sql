-- 0014: one page fewer in every sale's transaction (issue 25, checkout ≤ 1.3× a bare insert).
--
-- orders_day (business_day, status) is a prefix of orders_day_stats (business_day, status,
-- …): every query it served is served by the covering index, and each index is one more
-- b-tree page written by every sale's commit.
DROP INDEX IF EXISTS orders_day;
