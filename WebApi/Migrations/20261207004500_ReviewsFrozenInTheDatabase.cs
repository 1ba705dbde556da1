using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebApi.Migrations
{
    /// <inheritdoc />
    public partial class ReviewsFrozenInTheDatabase : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A completed review is frozen, whoever writes: an item's change and a new evidence file need the review
            // open at the moment they are written. The check locks the review's row (FOR KEY SHARE), so it waits for a
            // completion under way (which holds the row FOR UPDATE) and then sees its outcome; and a completion waits
            // for the changes under way, so the score it records is the one it froze. SQLSTATE RAF01: FrozenReviews.
            migrationBuilder.Sql("""
                CREATE FUNCTION "Reviews_open_for_change"() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    PERFORM 1 FROM "Reviews" WHERE "Id" = NEW."ReviewId" AND "State" = 'Open' FOR KEY SHARE;
                    IF NOT FOUND THEN
                        RAISE EXCEPTION 'review % is completed and frozen', NEW."ReviewId" USING ERRCODE = 'RAF01';
                    END IF;
                    RETURN NEW;
                END $$;
                CREATE TRIGGER "ReviewItems_open_review" BEFORE UPDATE ON "ReviewItems"
                    FOR EACH ROW EXECUTE FUNCTION "Reviews_open_for_change"();
                CREATE TRIGGER "EvidenceFiles_open_review" BEFORE INSERT ON "EvidenceFiles"
                    FOR EACH ROW EXECUTE FUNCTION "Reviews_open_for_change"();
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                DROP TRIGGER "EvidenceFiles_open_review" ON "EvidenceFiles";
                DROP TRIGGER "ReviewItems_open_review" ON "ReviewItems";
                DROP FUNCTION "Reviews_open_for_change"();
                """);
        }
    }
}
