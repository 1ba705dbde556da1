using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebApi.Migrations
{
    /// <inheritdoc />
    public partial class AuditHashChain : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Nullable until the existing rows are chained below.
            migrationBuilder.AddColumn<byte[]>(
                name: "Hash",
                table: "AuditEvents",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "PreviousHash",
                table: "AuditEvents",
                type: "bytea",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "AuditEvents",
                type: "bigint",
                nullable: true);

            // The canonical form hashed here is specified in WebApi/Audit/AuditChain.cs, which verifies it
            // independently: a text or uuid field is 0x00 when null, else 0x01 then (text) its UTF-8 length as int4
            // big-endian and the bytes, or (uuid) its 16 bytes; int8 is 8 bytes big-endian; jsonb is hashed in its
            // text form; the previous hash's 32 bytes come last.
            migrationBuilder.Sql("""
                CREATE FUNCTION "AuditEvents_field"(value text) RETURNS bytea LANGUAGE sql STABLE AS $$
                    SELECT CASE WHEN value IS NULL THEN '\x00'::bytea
                        ELSE '\x01'::bytea || int4send(octet_length(convert_to(value, 'UTF8'))) || convert_to(value, 'UTF8') END
                $$;
                CREATE FUNCTION "AuditEvents_field"(value uuid) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
                    SELECT CASE WHEN value IS NULL THEN '\x00'::bytea ELSE '\x01'::bytea || uuid_send(value) END
                $$;
                CREATE FUNCTION "AuditEvents_hash"(e "AuditEvents") RETURNS bytea LANGUAGE sql STABLE AS $$
                    SELECT sha256(
                        "AuditEvents_field"('readiness-audit-event/1'::text)
                        || int8send(e."Id")
                        || int8send(e."Sequence")
                        || int8send((extract(epoch FROM e."At") * 1000000)::bigint)
                        || "AuditEvents_field"(e."ActorId"::text)
                        || "AuditEvents_field"(e."Action"::text)
                        || "AuditEvents_field"(e."EntityType"::text)
                        || "AuditEvents_field"(e."EntityId"::text)
                        || "AuditEvents_field"(e."TeamId")
                        || "AuditEvents_field"(e."ServiceId")
                        || "AuditEvents_field"(e."ReviewId")
                        || "AuditEvents_field"(e."Before"::text)
                        || "AuditEvents_field"(e."After"::text)
                        || "AuditEvents_field"(e."TraceId"::text)
                        || e."PreviousHash")
                $$;

                -- The rows already there, chained per scope in the order they were written.
                ALTER TABLE "AuditEvents" DISABLE TRIGGER "AuditEvents_append_only";
                DO $$
                DECLARE
                    e "AuditEvents";
                    scope uuid;
                    started boolean := false;
                    seq bigint;
                    previous bytea;
                BEGIN
                    FOR e IN SELECT * FROM "AuditEvents" ORDER BY "TeamId", "Id" LOOP
                        IF NOT started OR e."TeamId" IS DISTINCT FROM scope THEN
                            started := true;
                            scope := e."TeamId";
                            seq := 0;
                            previous := decode(repeat('00', 32), 'hex');
                        END IF;
                        seq := seq + 1;
                        e."Sequence" := seq;
                        e."PreviousHash" := previous;
                        e."Hash" := "AuditEvents_hash"(e);
                        UPDATE "AuditEvents" SET "Sequence" = e."Sequence", "PreviousHash" = e."PreviousHash", "Hash" = e."Hash"
                            WHERE "Id" = e."Id";
                        previous := e."Hash";
                    END LOOP;
                END $$;
                ALTER TABLE "AuditEvents" ENABLE TRIGGER "AuditEvents_append_only";
                ALTER TABLE "AuditEvents"
                    ALTER COLUMN "Hash" SET NOT NULL,
                    ALTER COLUMN "PreviousHash" SET NOT NULL,
                    ALTER COLUMN "Sequence" SET NOT NULL;

                -- Every new row is chained here, whoever inserts it and whatever it says its chain columns are. Writers
                -- of one scope take turns (an advisory lock until their transaction ends), and the scope's latest event
                -- is found by Sequence, not Id: ids are drawn before the lock, so they need not follow the chain's order.
                CREATE FUNCTION "AuditEvents_chain"() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    previous_sequence bigint;
                    previous_hash bytea;
                BEGIN
                    PERFORM pg_advisory_xact_lock(hashtext('AuditEvents'), hashtext(coalesce(NEW."TeamId"::text, 'global')));
                    IF NEW."TeamId" IS NULL THEN
                        SELECT "Sequence", "Hash" INTO previous_sequence, previous_hash FROM "AuditEvents"
                            WHERE "TeamId" IS NULL ORDER BY "Sequence" DESC LIMIT 1;
                    ELSE
                        SELECT "Sequence", "Hash" INTO previous_sequence, previous_hash FROM "AuditEvents"
                            WHERE "TeamId" = NEW."TeamId" ORDER BY "Sequence" DESC LIMIT 1;
                    END IF;
                    NEW."Sequence" := coalesce(previous_sequence, 0) + 1;
                    NEW."PreviousHash" := coalesce(previous_hash, decode(repeat('00', 32), 'hex'));
                    NEW."Hash" := "AuditEvents_hash"(NEW);
                    RETURN NEW;
                END $$;
                CREATE TRIGGER "AuditEvents_chain" BEFORE INSERT ON "AuditEvents"
                    FOR EACH ROW EXECUTE FUNCTION "AuditEvents_chain"();
                """);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_TeamId_Sequence",
                table: "AuditEvents",
                columns: new[] { "TeamId", "Sequence" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.AddCheckConstraint(
                name: "CK_AuditEvents_Hash",
                table: "AuditEvents",
                sql: "octet_length(\"Hash\") = 32");

            migrationBuilder.AddCheckConstraint(
                name: "CK_AuditEvents_PreviousHash",
                table: "AuditEvents",
                sql: "octet_length(\"PreviousHash\") = 32");

            migrationBuilder.AddCheckConstraint(
                name: "CK_AuditEvents_Sequence",
                table: "AuditEvents",
                sql: "\"Sequence\" >= 1");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "AuditEvents_chain" ON "AuditEvents";
                DROP FUNCTION "AuditEvents_chain"();
                DROP FUNCTION "AuditEvents_hash"("AuditEvents");
                DROP FUNCTION "AuditEvents_field"(uuid);
                DROP FUNCTION "AuditEvents_field"(text);
                """);

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_TeamId_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropCheckConstraint(
                name: "CK_AuditEvents_Hash",
                table: "AuditEvents");

            migrationBuilder.DropCheckConstraint(
                name: "CK_AuditEvents_PreviousHash",
                table: "AuditEvents");

            migrationBuilder.DropCheckConstraint(
                name: "CK_AuditEvents_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Hash",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "PreviousHash",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "AuditEvents");
        }
    }
}
