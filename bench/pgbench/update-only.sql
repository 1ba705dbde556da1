-- patch.sql's UPDATE alone, without the audit event.
-- pgbench -n -M prepared -c 8 -j 2 -T 10 -D rev=0 -f update-only.sql DATABASE
\set n random(1, 1000000)
WITH updated AS (
  UPDATE "ReviewItems" SET "Status" = 'Done'::varchar, "RiskReason" = NULL::text, "Notes" = ('bench write ' || :n)::varchar,
    "AssigneeId" = NULL::varchar, "DueOn" = NULL::date, "UpdatedAt" = now()::timestamptz,
    "Waiver_Reason" = NULL::varchar, "Waiver_RequestedBy" = NULL::varchar, "Waiver_ApproverId" = NULL::varchar, "Waiver_ExpiresOn" = NULL::date, "Waiver_ApprovedAt" = NULL::timestamptz
  WHERE "ReviewId" = ('00000000-0000-0000-0000-0000000003' || lpad(:rev::text, 2, '0'))::uuid AND "ItemId" = 'i' || :client_id
  RETURNING xmin
)
SELECT xmin::text::bigint FROM updated;
