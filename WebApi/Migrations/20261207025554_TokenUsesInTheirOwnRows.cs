using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebApi.Migrations
{
    /// <inheritdoc />
    public partial class TokenUsesInTheirOwnRows : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // A token's last use moves to a row of its own, so recording it no longer changes the token's version
            // (its ETag), which made revoking a token in use answer 412.
            migrationBuilder.CreateTable(
                name: "PersonalAccessTokenUses",
                columns: table => new
                {
                    TokenId = table.Column<Guid>(type: "uuid", nullable: false),
                    LastUsedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_PersonalAccessTokenUses", x => x.TokenId);
                    table.ForeignKey(
                        name: "FK_PersonalAccessTokenUses_PersonalAccessTokens_TokenId",
                        column: x => x.TokenId,
                        principalTable: "PersonalAccessTokens",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.Sql("""
                INSERT INTO "PersonalAccessTokenUses" ("TokenId", "LastUsedAt")
                SELECT "Id", "LastUsedAt" FROM "PersonalAccessTokens" WHERE "LastUsedAt" IS NOT NULL
                """);

            // The old column stays, unmapped, for a release: during a rolling deploy the previous build's replicas
            // still read and write it (SchemaGate lets a build run on a newer schema). A later migration drops it.
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""
                UPDATE "PersonalAccessTokens" AS t SET "LastUsedAt" = u."LastUsedAt"
                FROM "PersonalAccessTokenUses" AS u WHERE u."TokenId" = t."Id"
                """);

            migrationBuilder.DropTable(
                name: "PersonalAccessTokenUses");
        }
    }
}
