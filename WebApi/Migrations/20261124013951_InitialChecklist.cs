using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace WebApi.Migrations
{
    /// <inheritdoc />
    public partial class InitialChecklist : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Checklists",
                columns: table => new
                {
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Summary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Version = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Checklists", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "ChecklistSections",
                columns: table => new
                {
                    ChecklistId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Summary = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Order = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChecklistSections", x => new { x.ChecklistId, x.Id });
                    table.ForeignKey(
                        name: "FK_ChecklistSections_Checklists_ChecklistId",
                        column: x => x.ChecklistId,
                        principalTable: "Checklists",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ChecklistItems",
                columns: table => new
                {
                    ChecklistId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    SectionId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    Guidance = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: false),
                    Order = table.Column<int>(type: "integer", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChecklistItems", x => new { x.ChecklistId, x.Id });
                    table.ForeignKey(
                        name: "FK_ChecklistItems_ChecklistSections_ChecklistId_SectionId",
                        columns: x => new { x.ChecklistId, x.SectionId },
                        principalTable: "ChecklistSections",
                        principalColumns: new[] { "ChecklistId", "Id" },
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.InsertData(
                table: "Checklists",
                columns: new[] { "Id", "Summary", "Title", "Version" },
                values: new object[] { "production-readiness", "What to check before a web application goes to production, beyond making it work.", "Production Readiness Checklist", "1.0" });

            migrationBuilder.InsertData(
                table: "ChecklistSections",
                columns: new[] { "ChecklistId", "Id", "Order", "Summary", "Title" },
                values: new object[,]
                {
                    { "production-readiness", "CICD", 5, "A CI/CD pipeline automates testing and deploying the application, with tools such as GitHub Actions, GitLab CI/CD or Jenkins.", "Continuous Integration and Deployment (CI/CD)" },
                    { "production-readiness", "MED", 3, "Serving static files from the application process is fine for simple deployments; larger applications with many static or user-uploaded files should use cloud object storage (such as Amazon S3 or Google Cloud Storage) behind a content delivery network (such as Cloudflare or AWS CloudFront).", "Static and Media Files" },
                    { "production-readiness", "OBS", 2, "Track the health of the application in production and have what you need to diagnose issues.", "Logging and Monitoring" },
                    { "production-readiness", "SEC", 4, "Configure the application securely for production.", "Security Hardening" },
                    { "production-readiness", "WEB", 1, "Run the application server behind a reverse proxy such as nginx rather than exposing it directly.", "Web Server Configuration" }
                });

            migrationBuilder.InsertData(
                table: "ChecklistItems",
                columns: new[] { "ChecklistId", "Id", "Guidance", "Order", "SectionId", "Title" },
                values: new object[,]
                {
                    { "production-readiness", "CICD-01", "Tests run automatically on every commit.", 1, "CICD", "Catch bugs early" },
                    { "production-readiness", "CICD-02", "Deployment is automated to reduce the risk of human error.", 2, "CICD", "Deploy faster and more reliably" },
                    { "production-readiness", "CICD-03", "Developers are freed from manual deployment tasks.", 3, "CICD", "Improve the development workflow" },
                    { "production-readiness", "MED-01", "A CDN caches files in many locations around the world and delivers them to each user from the nearest one.", 1, "MED", "Faster load times" },
                    { "production-readiness", "MED-02", "Offloading static files to a CDN reduces the load on the application server.", 2, "MED", "Reduced server load" },
                    { "production-readiness", "MED-03", "A CDN is designed to handle large amounts of traffic and scales automatically.", 3, "MED", "Scalability" },
                    { "production-readiness", "OBS-01", "Application logs go to a file or a centralised logging service (for example an ELK stack, Graylog or Datadog) so errors can be tracked and debugged in production.", 1, "OBS", "Centralised logging" },
                    { "production-readiness", "OBS-02", "Key application metrics such as response times, error rates and resource usage are monitored with tools like Prometheus, Grafana or Datadog.", 2, "OBS", "Metrics monitoring" },
                    { "production-readiness", "SEC-01", "The application's secret signing key is not hardcoded in source or configuration files; it is loaded from an environment variable or a secret store.", 1, "SEC", "Secret key loaded from the environment, never committed" },
                    { "production-readiness", "SEC-02", "Debug and development modes, with their detailed error pages and stack traces, are turned off in production.", 2, "SEC", "Debug mode disabled in production" },
                    { "production-readiness", "SEC-03", "The application only answers requests addressed to the domain names that host it.", 3, "SEC", "Allowed host names restricted" },
                    { "production-readiness", "SEC-04", "All traffic between users and the server is encrypted with HTTPS; services such as Let's Encrypt issue free TLS certificates.", 4, "SEC", "HTTPS for all traffic" },
                    { "production-readiness", "SEC-05", "Database credentials are not hardcoded in settings; they are loaded from environment variables or a secret store.", 5, "SEC", "Database credentials loaded from the environment, never committed" },
                    { "production-readiness", "SEC-06", "The framework's built-in XSS and CSRF protections are enabled and used correctly on every page and form.", 6, "SEC", "Cross-site scripting (XSS) and cross-site request forgery (CSRF) protection" },
                    { "production-readiness", "WEB-01", "The reverse proxy distributes traffic across several application instances, improving scalability and reliability.", 1, "WEB", "Load balancing" },
                    { "production-readiness", "WEB-02", "The reverse proxy serves static files directly, leaving the application server free to handle dynamic requests.", 2, "WEB", "Static files served by the proxy" },
                    { "production-readiness", "WEB-03", "The reverse proxy adds a layer of security: it terminates HTTPS, blocks certain kinds of attack and hides details of the application server.", 3, "WEB", "Security at the edge" },
                    { "production-readiness", "WEB-04", "The reverse proxy caches responses, which can significantly improve the application's performance.", 4, "WEB", "Response caching" }
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChecklistItems_ChecklistId_SectionId",
                table: "ChecklistItems",
                columns: new[] { "ChecklistId", "SectionId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChecklistItems");

            migrationBuilder.DropTable(
                name: "ChecklistSections");

            migrationBuilder.DropTable(
                name: "Checklists");
        }
    }
}
