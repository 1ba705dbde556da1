using Microsoft.Playwright;

namespace AppHost.Tests.Browser;

/// <summary>The browser tests' own checks catch what they are there to catch, on the real stack's strict CSP.</summary>
[Collection(StackTestGroup.Name)]
public sealed class HarnessTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task An_inline_script_a_console_error_and_a_dialog_are_each_reported()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "harness");
        await session.GotoAsync("/");
        session.AssertNoProblems();

        // Added from outside, as an injected payload would be: the page's CSP refuses it (and Chromium logs that too).
        await session.Page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1'; document.body.append(s); }");
        await session.Page.EvaluateAsync("() => console.error('broken')");
        await session.Page.EvaluateAsync("() => setTimeout(() => alert('hi'))");

        await Assertions.Expect(session.Page.Locator("body")).ToBeVisibleAsync();
        Assert.False(await session.Page.EvaluateAsync<bool>("() => window.ran === 1"));
        await WaitForAsync(() => session.Problems.Any(p => p.StartsWith("alert dialog", StringComparison.Ordinal)));
        var problems = session.Problems;
        Assert.Contains(problems, p => p.StartsWith("CSP violation: script-src-elem blocked inline", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("console error: broken", StringComparison.Ordinal));
        Assert.Contains(problems, p => p == "alert dialog opened: hi");
    }

    [Fact]
    public async Task Axe_reports_a_serious_violation()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "harness-axe");
        await session.GotoAsync("/");
        // An image without alternative text, put in by the test: axe's image-alt rule is critical.
        await session.Page.EvaluateAsync("() => { const img = document.createElement('img'); img.src = 'favicon.svg'; document.body.append(img); }");

        var violations = await AccessibilityCheck.SeriousViolationsAsync(session.Page);

        Assert.Contains(violations, v => v.StartsWith("critical image-alt", StringComparison.Ordinal));
    }

    private static async Task WaitForAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(50, timeout.Token);
        }
    }
}
