using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace WebApi.Migrations
{
    /// <inheritdoc />
    public partial class ScansOneActivePerServiceTarget : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Scans_OneActivePerTarget",
                table: "Scans");

            migrationBuilder.CreateIndex(
                name: "IX_Scans_OneActivePerTarget",
                table: "Scans",
                columns: new[] { "ServiceId", "TargetUrl" },
                unique: true,
                filter: "\"Status\" IN ('Queued', 'Running')")
                .Annotation("Npgsql:NullsDistinct", false);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Scans_OneActivePerTarget",
                table: "Scans");

            migrationBuilder.CreateIndex(
                name: "IX_Scans_OneActivePerTarget",
                table: "Scans",
                column: "TargetUrl",
                unique: true,
                filter: "\"Status\" IN ('Queued', 'Running')");
        }
    }
}
