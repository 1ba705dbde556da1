using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebApi.Migrations
{
    /// <inheritdoc />
    public partial class EvidenceOfFrozenReviewsKept : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Deleting a file of a completed review is refused as changing it is (ReviewsFrozenInTheDatabase): the
            // review's row is locked (FOR KEY SHARE) whatever its state, so the delete waits for a completion under way
            // and a completion for the delete, and the state read is the one that holds. A review deleted with its
            // service is gone from the same transaction by the time its files are: nothing is found, so they go too.
            migrationBuilder.Sql("""
                CREATE FUNCTION "Reviews_open_for_evidence_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
                DECLARE
                    review_state text;
                BEGIN
                    SELECT "State" INTO review_state FROM "Reviews" WHERE "Id" = OLD."ReviewId" FOR KEY SHARE;
                    IF FOUND AND review_state <> 'Open' THEN
                        RAISE EXCEPTION 'review % is completed and frozen', OLD."ReviewId" USING ERRCODE = 'RAF01';
                    END IF;
                    RETURN OLD;
                END $$;
                CREATE TRIGGER "EvidenceFiles_open_review_delete" BEFORE DELETE ON "EvidenceFiles"
                    FOR EACH ROW EXECUTE FUNCTION "Reviews_open_for_evidence_delete"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "EvidenceFiles_open_review_delete" ON "EvidenceFiles";
                DROP FUNCTION "Reviews_open_for_evidence_delete"();
                """);
        }
    }
}
