using Scanner.Observatory;

namespace Scanner.Tests.Observatory;

/// <summary>Observatory's test/csp-parser.test.js.</summary>
public sealed class CspParserTests
{
    public static TheoryData<string[], string> Policies => new()
    {
        { ["default-src 'none'"], "default-src='none'" },
        { ["default-src 'none'; script-src 'self' https://mozilla.org"], "default-src='none'|script-src='self' https://mozilla.org" },
        {
            ["default-src 'none'; script-src 'self' https://mozilla.org", "default-src 'none'; script-src 'self' https://mozilla.org"],
            "default-src='none'|script-src='self' https://mozilla.org"
        },
        {
            ["default-src 'none'; script-src 'self' https://mozilla.org", "default-src 'none'; script-src 'self' https://mozilla.org https://example.com"],
            "default-src='none'|script-src='self' https://mozilla.org"
        },
        {
            ["default-src 'none'; script-src 'self' https://mozilla.org", "default-src 'none'; script-src https://example.com 'self' https://mozilla.org"],
            "default-src='none'|script-src='self' https://mozilla.org"
        },
        { ["default-src https://mozilla.org", "default-src https://mozilla.com"], "default-src='none'" },
        { ["default-src https://mozilla.org https://mozilla.net", "default-src https://mozilla.com https://mozilla.io"], "default-src='none'" },
        {
            [
                "default-src https://mozilla.org https://mozilla.net https://mozilla.com https://mozilla.io",
                "default-src https://mozilla.pizza https://mozilla.ninja https://mozilla.net https://mozilla.org",
            ],
            "default-src=https://mozilla.net https://mozilla.org"
        },
        {
            [
                "default-src https://mozilla.org https://mozilla.net https://mozilla.com https://mozilla.io",
                "default-src https://mozilla.pizza https://mozilla.ninja https://mozilla.net https://mozilla.org",
                "default-src https://mozilla.net https://mozilla.fox https://mozilla.fire https://mozilla.org",
                "default-src https://mozilla.browser https://mozilla.web https://mozilla.net https://mozilla.org",
            ],
            "default-src=https://mozilla.net https://mozilla.org"
        },
        { ["default-src https://mozilla.org/fire", "default-src https://mozilla.org/firefox/"], "default-src='none'" },
        { ["default-src https://mozilla.org/firefox/", "default-src https://mozilla.org/firefox/download/"], "default-src=https://mozilla.org/firefox/download/" },
        { ["default-src https://mozilla.org/firefox/download/", "default-src https://mozilla.org/firefox/"], "default-src=https://mozilla.org/firefox/download/" },
        { ["default-src http:", "default-src https:"], "default-src='none'" },
        { ["default-src http: http:", "default-src https: https:"], "default-src='none'" },
    };

    [Theory]
    [MemberData(nameof(Policies))]
    public void Parses_policies_as_observatory_does(string[] policies, string expected)
    {
        var parsed = CspParser.Parse(policies);

        Assert.NotNull(parsed);
        Assert.Equal(expected, Describe(parsed));
    }

    [Theory]
    [InlineData("  ")]
    [InlineData("\r\n")]
    [InlineData("\r\n\r\n\r\n\r\n\r\n\r\n")]
    [InlineData("")]
    [InlineData("default-src 'none'; default-src 'none'")]
    [InlineData("default-src 'none'; img-src 'self'; default-src 'none'")]
    [InlineData("defa")]
    public void Refuses_invalid_policies(string policy) => Assert.Null(CspParser.Parse([policy]));

    [Fact]
    public void Parses_a_long_real_header()
    {
        const string Policy = "default-src 'self' blob: https://*.cnn.com:* http://*.cnn.com:* *.cnn.io:* *.cnn.net:* *.turner.com:* *.turner.io:* *.ugdturner.com:* courageousstudio.com *.vgtf.net:*; script-src 'unsafe-eval' 'unsafe-inline' 'self' *; style-src 'unsafe-inline' 'self' blob: *; child-src 'self' blob: *; frame-src 'self' *; object-src 'self' *; img-src 'self' data: blob: *; media-src 'self' data: blob: *; font-src 'self' data: *; connect-src 'self' data: *; frame-ancestors 'self' https://*.cnn.com:* http://*.cnn.com https://*.cnn.io:* http://*.cnn.io:* *.turner.com:* courageousstudio.com;";

        Assert.NotNull(CspParser.Parse([Policy]));
    }

    [Theory]
    [InlineData("report-uri https://www.dropbox.com/csp_log?policy_name=metaserver-whitelist ; report-uri https://www.dropbox.com/csp_log?policy_name=metaserver-dynamic", "report-uri")]
    [InlineData("report-to some_name ; report-to some_other_name", "report-to")]
    public void Reports_repeated_report_directives(string policy, string directive)
    {
        var parsed = CspParser.Parse([policy]);

        Assert.NotNull(parsed);
        Assert.Contains(directive, parsed[CspParser.DuplicateWarningsKey]);
    }

    [Fact]
    public void Meta_policies_lose_the_directives_only_a_header_may_set()
    {
        var parsed = CspParser.ParseMeta(["default-src 'none'; frame-ancestors 'none'; report-uri /r; sandbox"]);

        Assert.Equal("default-src='none'", Describe(parsed!));
    }

    private static string Describe(Dictionary<string, HashSet<string>> policy) =>
        string.Join('|', policy.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => $"{pair.Key}={string.Join(' ', pair.Value.Order(StringComparer.Ordinal))}"));
}
