using System.Text.Json;
using AppHost.Tests.Deployment;
using Microsoft.Playwright;

namespace AppHost.Tests.Browser;

/// <summary>
/// axe-core (npm, pinned in <c>Browser/Axe/package-lock.json</c>, installed by <c>.ci/install</c>) run in the page as it is.
/// </summary>
internal static class AccessibilityCheck
{
    private static readonly string s_axePath = RepositoryFiles.Path("tests", "AppHost.Tests", "Browser", "Axe", "node_modules", "axe-core", "axe.min.js");

    private static readonly Lazy<string> s_axeSource = new(() =>
    {
        Assert.True(File.Exists(s_axePath), $"{s_axePath} is missing: run bash .ci/install");
        return File.ReadAllText(s_axePath);
    });

    // Serious and critical only: moderate and minor findings are advice, not failures.
    private const string RunAxe = """
        async () => {
          const result = await axe.run(document, { resultTypes: ["violations"] });
          return JSON.stringify(result.violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${n.failureSummary}`) })));
        }
        """;

    /// <summary>
    /// Every serious or critical violation on the page, one line each with its rule, help and nodes. axe's source is
    /// evaluated through the DevTools protocol (what <c>EvaluateAsync</c> does), which the page's CSP does not govern:
    /// a script element would be refused by <c>script-src 'self'</c> and Trusted Types. It runs in the same page and
    /// context as the test, so anything axe itself did against the CSP would show as a violation there, not be hidden.
    /// </summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.EvaluateAsync(s_axeSource.Value);
        }

        var json = await page.EvaluateAsync<string>(RunAxe);
        return [.. JsonSerializer.Deserialize<List<Violation>>(json, JsonSerializerOptions.Web)!
            .Select(v => $"{v.Impact} {v.Id} ({v.Help}):\n  " + string.Join("\n  ", v.Nodes))];
    }

    private sealed record Violation(string Id, string Impact, string Help, List<string> Nodes);
}
