namespace WebApi.Data;

/// <summary>
/// The production-readiness checklist the database is seeded with (through migrations).
/// Ids are stable: clients may link to them, so never renumber an existing one; append new items with new ids.
/// </summary>
public static class ChecklistSeed
{
    public const string ChecklistId = "production-readiness";

    private static readonly SeedSection[] SeedSections =
    [
        new("WEB", "Web Server Configuration",
            "Run the application server behind a reverse proxy such as nginx rather than exposing it directly.",
            [
                new("WEB-01", "Load balancing",
                    "The reverse proxy distributes traffic across several application instances, improving scalability and reliability."),
                new("WEB-02", "Static files served by the proxy",
                    "The reverse proxy serves static files directly, leaving the application server free to handle dynamic requests."),
                new("WEB-03", "Security at the edge",
                    "The reverse proxy adds a layer of security: it terminates HTTPS, blocks certain kinds of attack and hides details of the application server."),
                new("WEB-04", "Response caching",
                    "The reverse proxy caches responses, which can significantly improve the application's performance."),
            ]),
        new("OBS", "Logging and Monitoring",
            "Track the health of the application in production and have what you need to diagnose issues.",
            [
                new("OBS-01", "Centralised logging",
                    "Application logs go to a file or a centralised logging service (for example an ELK stack, Graylog or Datadog) so errors can be tracked and debugged in production."),
                new("OBS-02", "Metrics monitoring",
                    "Key application metrics such as response times, error rates and resource usage are monitored with tools like Prometheus, Grafana or Datadog."),
            ]),
        new("MED", "Static and Media Files",
            "Serving static files from the application process is fine for simple deployments; larger applications with many static or user-uploaded files should use cloud object storage (such as Amazon S3 or Google Cloud Storage) behind a content delivery network (such as Cloudflare or AWS CloudFront).",
            [
                new("MED-01", "Faster load times",
                    "A CDN caches files in many locations around the world and delivers them to each user from the nearest one."),
                new("MED-02", "Reduced server load",
                    "Offloading static files to a CDN reduces the load on the application server."),
                new("MED-03", "Scalability",
                    "A CDN is designed to handle large amounts of traffic and scales automatically."),
            ]),
        new("SEC", "Security Hardening",
            "Configure the application securely for production.",
            [
                new("SEC-01", "Secret key loaded from the environment, never committed",
                    "The application's secret signing key is not hardcoded in source or configuration files; it is loaded from an environment variable or a secret store."),
                new("SEC-02", "Debug mode disabled in production",
                    "Debug and development modes, with their detailed error pages and stack traces, are turned off in production."),
                new("SEC-03", "Allowed host names restricted",
                    "The application only answers requests addressed to the domain names that host it."),
                new("SEC-04", "HTTPS for all traffic",
                    "All traffic between users and the server is encrypted with HTTPS; services such as Let's Encrypt issue free TLS certificates."),
                new("SEC-05", "Database credentials loaded from the environment, never committed",
                    "Database credentials are not hardcoded in settings; they are loaded from environment variables or a secret store."),
                new("SEC-06", "Cross-site scripting (XSS) and cross-site request forgery (CSRF) protection",
                    "The framework's built-in XSS and CSRF protections are enabled and used correctly on every page and form."),
            ]),
        new("CICD", "Continuous Integration and Deployment (CI/CD)",
            "A CI/CD pipeline automates testing and deploying the application, with tools such as GitHub Actions, GitLab CI/CD or Jenkins.",
            [
                new("CICD-01", "Catch bugs early",
                    "Tests run automatically on every commit."),
                new("CICD-02", "Deploy faster and more reliably",
                    "Deployment is automated to reduce the risk of human error."),
                new("CICD-03", "Improve the development workflow",
                    "Developers are freed from manual deployment tasks."),
            ]),
    ];

    public static IReadOnlyList<Checklist> Checklists { get; } =
    [
        new()
        {
            Id = ChecklistId,
            Title = "Production Readiness Checklist",
            Summary = "What to check before a web application goes to production, beyond making it work.",
            Version = "1.0",
        },
    ];

    // Order follows the position in the lists above, so reordering there reorders the API's output.
    public static IReadOnlyList<ChecklistSection> Sections { get; } =
        [.. SeedSections.Select((section, index) => new ChecklistSection
        {
            ChecklistId = ChecklistId,
            Id = section.Id,
            Title = section.Title,
            Summary = section.Summary,
            Order = index + 1,
        })];

    public static IReadOnlyList<ChecklistItem> Items { get; } =
        [.. SeedSections.SelectMany(section => section.Items.Select((item, index) => new ChecklistItem
        {
            ChecklistId = ChecklistId,
            SectionId = section.Id,
            Id = item.Id,
            Title = item.Title,
            Guidance = item.Guidance,
            Order = index + 1,
        }))];

    private sealed record SeedSection(string Id, string Title, string Summary, SeedItem[] Items);

    private sealed record SeedItem(string Id, string Title, string Guidance);
}
