using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpsPolicy;
using Microsoft.Extensions.DependencyInjection;
using ServiceDefaults.Deploy;
using WebApi.Scans;

namespace WebApi.Tests.Security;

/// <summary>Each audit rule: the setting right (no finding) and wrong (its finding, with its severity).</summary>
public sealed class DeployAuditTests : IDisposable
{
    private readonly ProductionSettings _settings = new();

    [Fact]
    public async Task Good_production_settings_give_no_finding()
    {
        var report = await AuditedService.AuditAsync(_settings.Good());

        Assert.Empty(report.Findings);
    }

    [Theory]
    [InlineData("Development", "RA-E001", DeploySeverity.Error)]
    [InlineData("Staging", "RA-E002", DeploySeverity.Warning)]
    public async Task A_non_production_environment_is_reported(string environment, string id, DeploySeverity severity)
    {
        var report = await AuditedService.AuditAsync(_settings.Good(), environment);

        Assert.Equal(severity, Assert.Single(report.Findings, finding => finding.Id == id).Severity);
    }

    [Theory]
    [InlineData("*")]
    [InlineData(null)]
    public async Task Any_host_allowed_is_an_error(string? allowedHosts)
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith("AllowedHosts", allowedHosts));

        Assert.Equal(DeploySeverity.Error, Assert.Single(report.Findings).Severity);
        Assert.Equal("RA-H001", report.Findings[0].Id);
    }

    [Fact]
    public async Task A_missing_secret_is_named()
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith("ConnectionStrings__readiness", null));

        var finding = Assert.Single(report.Findings);
        Assert.Equal("RA-S001", finding.Id);
        Assert.Contains("ConnectionStrings:readiness", finding.Message, StringComparison.Ordinal);
        Assert.Contains("ConnectionStrings__readiness", finding.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_string_without_password_is_an_error()
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith("ConnectionStrings__cache", "127.0.0.1:6379"));

        Assert.Equal("RA-S002", Assert.Single(report.Findings).Id);
    }

    [Theory]
    [InlineData("ConnectionStrings__readiness")]
    [InlineData("ConnectionStrings__cache")]
    public async Task A_weak_password_is_an_error_that_does_not_show_it(string key)
    {
        const string Weak = "hunter2hunter2";
        var value = key.EndsWith("cache", StringComparison.Ordinal) ? Secrets.RedisConnectionString(Weak) : Secrets.PostgresConnectionString(Weak);

        var report = await AuditedService.AuditAsync(_settings.GoodWith(key, value));

        var finding = Assert.Single(report.Findings);
        Assert.Equal("RA-S003", finding.Id);
        Assert.DoesNotContain(Weak, finding.ToLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_secret_in_appsettings_is_an_error()
    {
        var contentRoot = Directory.CreateTempSubdirectory("ra-appsettings-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(contentRoot, "appsettings.json"),
                $$"""{ "ConnectionStrings": { "readiness": "{{Secrets.PostgresConnectionString(Secrets.Strong())}}" } }""");
            var settings = _settings.GoodWith("ConnectionStrings__readiness", null);

            var report = await AuditedService.AuditAsync(settings, contentRoot: contentRoot);

            Assert.Equal("RA-S004", Assert.Single(report.Findings).Id);
        }
        finally
        {
            Directory.Delete(contentRoot, recursive: true);
        }
    }

    [Fact]
    public async Task A_short_hsts_max_age_is_a_warning()
    {
        var report = await AuditedService.AuditAsync(_settings.Good(),
            customize: builder => builder.Services.Configure<HstsOptions>(options => options.MaxAge = TimeSpan.FromDays(7)));

        Assert.Equal(DeploySeverity.Warning, Assert.Single(report.Findings, finding => finding.Id == "RA-T001").Severity);
    }

    [Theory]
    [InlineData("urls", "http://0.0.0.0:8080", true)]
    [InlineData("urls", "http://*:8080", true)]
    [InlineData("http_ports", "8080", true)]
    [InlineData("urls", "http://127.0.0.1:8080", false)]
    [InlineData("urls", "http://localhost:8080;https://0.0.0.0:8443", false)]
    public async Task Plain_http_beyond_loopback_is_a_warning(string key, string value, bool reported)
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith(key, value));

        Assert.Equal(reported, report.Ids().Contains("RA-T002"));
    }

    [Fact]
    public async Task A_weakened_antiforgery_cookie_is_an_error()
    {
        var report = await AuditedService.AuditAsync(_settings.Good(),
            customize: builder => builder.Services.Configure<AntiforgeryOptions>(options => options.Cookie.Name = "antiforgery"));

        Assert.Equal("RA-C001", Assert.Single(report.Findings).Id);
    }

    [Fact]
    public async Task A_weakened_authentication_cookie_is_an_error()
    {
        var report = await AuditedService.AuditAsync(_settings.Good(),
            customize: builder => builder.Services.PostConfigure<CookieAuthenticationOptions>(
                CookieAuthenticationDefaults.AuthenticationScheme, options => options.Cookie.SameSite = SameSiteMode.None));

        Assert.Equal("RA-C002", Assert.Single(report.Findings).Id);
    }

    [Fact]
    public async Task An_unshared_key_ring_is_an_error()
    {
        var report = await AuditedService.AuditAsync(_settings.Good(), keyStore: false);

        Assert.Equal(["RA-D001"], report.Ids());
    }

    [Fact]
    public async Task Keys_without_a_certificate_are_stored_unencrypted_which_is_an_error()
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith("DataProtection__CertificatePath", null));

        Assert.Equal(DeploySeverity.Error, Assert.Single(report.Findings, finding => finding.Id == "RA-D002").Severity);
    }

    [Fact]
    public async Task A_certificate_given_inline_as_base64_from_a_secret_encrypts_the_keys()
    {
        var pfx = Convert.ToBase64String(await File.ReadAllBytesAsync(_settings.Good()["DataProtection__CertificatePath"]));
        var report = await AuditedService.AuditAsync(_settings.GoodWith("DataProtection__CertificatePath", null).With("DataProtection__Certificate", pfx));

        Assert.Empty(report.Findings);
    }

    [Fact]
    public async Task An_inline_certificate_that_is_not_base64_is_an_error_that_does_not_echo_it()
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith("DataProtection__CertificatePath", null).With("DataProtection__Certificate", "not base64!"));

        var finding = Assert.Single(report.Findings, finding => finding.Id == "RA-D003");
        Assert.DoesNotContain("not base64!", finding.ToLine(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DataProtection__CertificatePath", "/nonexistent/dataprotection.pfx")]
    [InlineData("DataProtection__CertificatePassword", "not-the-password")]
    public async Task An_unusable_certificate_is_an_error(string key, string value)
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith(key, value));

        var finding = Assert.Single(report.Findings, finding => finding.Id == "RA-D003");
        Assert.DoesNotContain(value, finding.ToLine(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_application_name_is_an_error()
    {
        var report = await AuditedService.AuditAsync(_settings.Good(),
            customize: builder => builder.Services.AddDataProtection().SetApplicationName("Other"));

        Assert.Equal("RA-D004", Assert.Single(report.Findings).Id);
    }

    [Theory]
    [InlineData("ForwardedHeaders__KnownNetworks", "0.0.0.0/0", "RA-F001")]
    // ASPNETCORE_FORWARDEDHEADERS_ENABLED as the process sees it: the prefix is stripped.
    [InlineData("FORWARDEDHEADERS_ENABLED", "true", "RA-F001")]
    [InlineData("ForwardedHeaders__KnownProxies", "proxy.internal", "RA-F002")]
    [InlineData("ForwardedHeaders__KnownNetworks", "10.0.0.0", "RA-F002")]
    public async Task Untrustworthy_forwarded_headers_settings_are_errors(string key, string value, string id)
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith(key, value));

        Assert.Contains(id, report.Ids());
    }

    [Theory]
    [InlineData("ForwardedHeaders__KnownProxies", "10.0.0.5")]
    [InlineData("ForwardedHeaders__KnownNetworks", "10.0.0.0/8;fd00::/8")]
    public async Task Specific_proxies_are_trusted_without_a_finding(string key, string value)
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith(key, value));

        Assert.Empty(report.Findings);
    }

    [Fact]
    public async Task Detailed_errors_are_an_error()
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith("DetailedErrors", "true"));

        Assert.Equal("RA-X001", Assert.Single(report.Findings).Id);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080", "5080", true)]
    [InlineData("http://*:5080", "5080", true)]
    [InlineData("http://127.0.0.1:5080", "5081", false)]
    // The AppHost's layout: a public port and the management port, both listened on.
    [InlineData("http://127.0.0.1:5080;http://127.0.0.1:5081", "5081", false)]
    public async Task Health_details_on_the_public_port_are_an_error(string urls, string managementPort, bool reported)
    {
        var settings = _settings.GoodWith("urls", urls);
        settings["Management__Port"] = managementPort;

        var report = await AuditedService.AuditAsync(settings);

        Assert.Equal(reported, report.Ids().Contains("RA-X002"));
    }

    [Theory]
    [InlineData("Scanner__AllowedTargets", "127.0.0.1,::1,localhost", "RA-S001")]
    [InlineData("Scanner__AllowedPorts", "80,443,*", "RA-S002")]
    public async Task A_scanner_that_may_reach_the_deployment_s_own_network_is_a_warning(string key, string value, string id)
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith(key, value), customize: builder => builder.AddScans());

        var finding = Assert.Single(report.Findings);
        Assert.Equal((id, DeploySeverity.Warning), (finding.Id, finding.Severity));
    }

    [Fact]
    public async Task A_scanner_kept_to_public_addresses_and_web_ports_gives_no_finding()
    {
        var report = await AuditedService.AuditAsync(_settings.GoodWith("Scanner__AllowedPorts", "443, 8443"), customize: builder => builder.AddScans());

        Assert.Empty(report.Findings);
    }

    [Theory]
    [InlineData("Deploy__Silence__0", "RA-H001")]
    [InlineData("Deploy__Silence", "RA-X001, RA-H001")]
    public async Task Findings_are_silenced_by_id(string key, string ids)
    {
        var settings = _settings.GoodWith("AllowedHosts", "*");
        settings[key] = ids;

        var report = await AuditedService.AuditAsync(settings);

        Assert.Empty(report.Findings);
        Assert.Contains("RA-H001", report.Silenced);
    }

    public void Dispose() => _settings.Dispose();
}
