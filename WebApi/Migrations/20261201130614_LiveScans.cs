using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace WebApi.Migrations
{
    /// <inheritdoc />
    public partial class LiveScans : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "RiskReason",
                table: "ReviewItems",
                type: "text",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "Scans",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ServiceId = table.Column<Guid>(type: "uuid", nullable: true),
                    Environment = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    TargetUrl = table.Column<string>(type: "character varying(2048)", maxLength: 2048, nullable: false),
                    Profile = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Trigger = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    RequestedBy = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    QueuedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    StartedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    FinishedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    LeaseUntil = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ClaimToken = table.Column<Guid>(type: "uuid", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    Grade = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    Score = table.Column<int>(type: "integer", nullable: true),
                    ProfileGrade = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    ProfileScore = table.Column<int>(type: "integer", nullable: true),
                    ChecklistPassed = table.Column<int>(type: "integer", nullable: true),
                    ChecklistTotal = table.Column<int>(type: "integer", nullable: true),
                    FailedChecks = table.Column<int>(type: "integer", nullable: true),
                    Report = table.Column<string>(type: "jsonb", nullable: true),
                    Error = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Scans", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Scans_Services_ServiceId",
                        column: x => x.ServiceId,
                        principalTable: "Services",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ScanObservations",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    ReviewId = table.Column<Guid>(type: "uuid", nullable: false),
                    ItemId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Environment = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    ScanId = table.Column<long>(type: "bigint", nullable: false),
                    FindingId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Passed = table.Column<bool>(type: "boolean", nullable: false),
                    Summary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    SeenAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ScanObservations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ScanObservations_ReviewItems_ReviewId_ItemId",
                        columns: x => new { x.ReviewId, x.ItemId },
                        principalTable: "ReviewItems",
                        principalColumns: new[] { "ReviewId", "ItemId" },
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "FK_ScanObservations_Scans_ScanId",
                        column: x => x.ScanId,
                        principalTable: "Scans",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ScanObservations_ReviewId_Environment",
                table: "ScanObservations",
                columns: new[] { "ReviewId", "Environment" });

            migrationBuilder.CreateIndex(
                name: "IX_ScanObservations_ReviewId_ItemId",
                table: "ScanObservations",
                columns: new[] { "ReviewId", "ItemId" });

            migrationBuilder.CreateIndex(
                name: "IX_ScanObservations_ScanId",
                table: "ScanObservations",
                column: "ScanId");

            migrationBuilder.CreateIndex(
                name: "IX_Scans_OneActivePerTarget",
                table: "Scans",
                column: "TargetUrl",
                unique: true,
                filter: "\"Status\" IN ('Queued', 'Running')");

            migrationBuilder.CreateIndex(
                name: "IX_Scans_ServiceId_Environment_FinishedAt",
                table: "Scans",
                columns: new[] { "ServiceId", "Environment", "FinishedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Scans_Status_QueuedAt",
                table: "Scans",
                columns: new[] { "Status", "QueuedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Scans_TargetUrl_QueuedAt",
                table: "Scans",
                columns: new[] { "TargetUrl", "QueuedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ScanObservations");

            migrationBuilder.DropTable(
                name: "Scans");

            migrationBuilder.DropColumn(
                name: "RiskReason",
                table: "ReviewItems");
        }
    }
}
