-- The PATCH's statement as WebApi sends it (ReviewEndpoints.SaveItemAsync): the item's UPDATE and its audit event's INSERT.
-- Each client writes its own item: -D own_team=0 puts every client in team 0 (one audit chain, review 0); -D own_team=1
-- gives each client a team of its own (teams 1-8, no two sharing a chain).
-- pgbench -n -M prepared -c 8 -j 2 -T 10 -D own_team=0 -f patch.sql DATABASE
\set n random(1, 1000000)
\set rev :own_team * (:client_id + 1)
WITH updated AS (
  UPDATE "ReviewItems" SET "Status" = 'Done'::varchar, "RiskReason" = NULL::text, "Notes" = ('bench write ' || :n)::varchar,
    "AssigneeId" = NULL::varchar, "DueOn" = NULL::date, "UpdatedAt" = now()::timestamptz,
    "Waiver_Reason" = NULL::varchar, "Waiver_RequestedBy" = NULL::varchar, "Waiver_ApproverId" = NULL::varchar, "Waiver_ExpiresOn" = NULL::date, "Waiver_ApprovedAt" = NULL::timestamptz
  WHERE "ReviewId" = ('00000000-0000-0000-0000-0000000003' || lpad(:rev::text, 2, '0'))::uuid AND "ItemId" = 'i' || :client_id
  RETURNING xmin
), recorded AS (
  INSERT INTO "AuditEvents" ("At", "ActorId", "Action", "EntityType", "EntityId", "TeamId", "ServiceId", "ReviewId", "Before", "After", "TraceId")
  SELECT now(), 'user-1'::varchar, 'item.updated'::varchar, 'item'::varchar, 'rev/i'::varchar,
    (SELECT "TeamId" FROM "Services" WHERE "Id" = ('00000000-0000-0000-0000-0000000002' || lpad(:rev::text, 2, '0'))::uuid),
    NULL::uuid, NULL::uuid, jsonb_build_object('status', 'InProgress', 'notes', 'bench write 1', 'assigneeId', NULL, 'dueOn', NULL, 'waiver', NULL),
    jsonb_build_object('status', 'Done', 'notes', 'bench write 2', 'assigneeId', NULL, 'dueOn', NULL, 'waiver', NULL), '0af7651916cd43dd8448eb211c80319c'::varchar
  FROM updated
)
SELECT xmin::text::bigint FROM updated;
