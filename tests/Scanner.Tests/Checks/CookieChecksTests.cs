using Scanner.Checks;

namespace Scanner.Tests.Checks;

public sealed class CookieChecksTests
{
    private static Dictionary<string, Finding> Check(params string[] setCookies) =>
        CookieChecks.Check([.. setCookies.Select(value => new SetCookieHeader(Build.Page, value))]).ToDictionary(finding => finding.Id);

    [Fact]
    public void A_well_made_host_session_cookie_passes_all()
    {
        var findings = Check("__Host-session=abc; Path=/; Secure; HttpOnly; SameSite=Lax");
        Assert.All(findings.Values, finding => Assert.True(finding.Passed));
        Assert.All(findings.Values, finding => Assert.NotEqual(Severity.Info, finding.Severity));
    }

    [Fact]
    public void A_bare_session_cookie_fails_secure_httponly_and_samesite()
    {
        var findings = Check("sessionid=abc; Path=/");
        Assert.False(findings["cookie-secure"].Passed);
        Assert.False(findings["cookie-httponly"].Passed);
        Assert.False(findings["cookie-samesite"].Passed);
        Assert.Contains("sessionid", findings["cookie-secure"].Evidence, StringComparison.Ordinal);
    }

    [Fact]
    public void HttpOnly_is_only_asked_of_session_like_cookies()
    {
        var findings = Check("theme=dark; Secure; SameSite=Lax");
        Assert.True(findings["cookie-httponly"].Passed);
        Assert.Equal(Severity.Info, findings["cookie-httponly"].Severity);
    }

    [Fact]
    public void SameSite_none_without_secure_fails()
    {
        Assert.False(Check("pref=1; SameSite=None")["cookie-samesite"].Passed);
        Assert.True(Check("pref=1; SameSite=None; Secure")["cookie-samesite"].Passed);
    }

    [Fact]
    public void Host_prefix_needs_secure_root_path_and_no_domain()
    {
        Assert.False(Check("__Host-id=1; Secure; Path=/; Domain=example.test; SameSite=Lax")["cookie-host-prefix"].Passed);
        Assert.False(Check("__Host-id=1; Secure; Path=/app; SameSite=Lax")["cookie-host-prefix"].Passed);
        Assert.False(Check("__Secure-id=1; Path=/; SameSite=Lax")["cookie-host-prefix"].Passed);
        Assert.True(Check("__Secure-id=1; Secure; Domain=example.test; SameSite=Lax")["cookie-host-prefix"].Passed);
    }

    [Fact]
    public void No_cookies_are_not_applicable()
    {
        var findings = Check();
        Assert.All(findings.Values, finding => Assert.Equal(Severity.Info, finding.Severity));
        Assert.All(findings.Values, finding => Assert.True(finding.Passed));
    }
}
