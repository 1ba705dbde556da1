-- Rows for the PATCH statement's pgbench scripts, in a database WebApi has migrated (`WebApi migrate`):
-- team 0 with service 0 and review 0, and teams 1-8 with a service and a review each; every review has items i0-i8.
INSERT INTO "Teams" SELECT ('00000000-0000-0000-0000-0000000001' || lpad(g::text, 2, '0'))::uuid, 'T' || g, 't' || g, now() FROM generate_series(0, 8) g;
INSERT INTO "Services" SELECT ('00000000-0000-0000-0000-0000000002' || lpad(g::text, 2, '0'))::uuid, ('00000000-0000-0000-0000-0000000001' || lpad(g::text, 2, '0'))::uuid,
    'S' || g, 's' || g, '', NULL, '{}', 'A', now(), now(), NULL FROM generate_series(0, 8) g;
INSERT INTO "Reviews" SELECT ('00000000-0000-0000-0000-0000000003' || lpad(g::text, 2, '0'))::uuid, ('00000000-0000-0000-0000-0000000002' || lpad(g::text, 2, '0'))::uuid,
    'c', '1', 'Open', 'u', now(), NULL, NULL FROM generate_series(0, 8) g;
INSERT INTO "ReviewItems" SELECT ('00000000-0000-0000-0000-0000000003' || lpad(r::text, 2, '0'))::uuid, 'i' || i, 's', 'S', 'I', i, 'InProgress', '',
    NULL, NULL, NULL, NULL, NULL, NULL, NULL, now(), NULL FROM generate_series(0, 8) r, generate_series(0, 8) i;
