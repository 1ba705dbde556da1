using static Microsoft.Playwright.Assertions;

namespace AppHost.Tests.Browser;

/// <summary>The browser tests' own checks catch what they are there to catch, on the real stack's strict CSP.</summary>
[Collection(StackTestGroup.Name)]
public sealed class HarnessTests(StackFixture stack, ChromiumFixture chromium) : IClassFixture<ChromiumFixture>
{
    [Fact]
    public async Task A_CSP_violation_a_console_error_a_dialog_and_an_axe_violation_are_each_reported()
    {
        await using var session = await BrowserSession.OpenAsync(chromium, stack, "harness");
        await session.GotoAsync("/sign-in");
        await Expect(session.Page.Locator("h1")).ToBeVisibleAsync();
        var before = session.Problems.Count;

        // Put in from outside, as an injected payload would be: an image from another origin (refused by the CSP, and
        // Chromium logs that too), a console error, an alert, and an image without alternative text (axe's image-alt).
        await session.Page.EvaluateAsync("""
            () => {
              const img = document.createElement("img");
              img.src = "https://elsewhere.example/pixel.png";
              document.body.append(img);
              console.error("broken");
              setTimeout(() => alert("hi"));
            }
            """);
        await Expect(session.Page.Locator("img[src^='https://elsewhere.example']")).ToHaveCountAsync(1);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            // The dialog and the violation report arrive asynchronously; Playwright has no locator for either.
            while (!session.Problems.Any(p => p.StartsWith("alert dialog", StringComparison.Ordinal)) || !session.Problems.Any(p => p.StartsWith("CSP", StringComparison.Ordinal)))
            {
                await Task.Delay(50, timeout.Token);
            }
        }

        var problems = session.Problems.Skip(before).ToList();
        Assert.Contains(problems, p => p.StartsWith("CSP violation: img-src blocked https://elsewhere.example/pixel.png", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("console error: broken", StringComparison.Ordinal));
        Assert.Contains(problems, p => p == "alert dialog opened: hi");
        var violations = await AccessibilityCheck.SeriousViolationsAsync(session.Page);
        Assert.Contains(violations, v => v.StartsWith("critical image-alt", StringComparison.Ordinal));
        // The same, filed by the page check and reported at the end.
        await session.CheckPageAsync("sign-in-tampered");
        var failure = Assert.Throws<Xunit.Sdk.TrueException>(session.AssertClean);
        Assert.Contains("on sign-in-tampered", failure.Message, StringComparison.Ordinal);
        Assert.Contains("axe on sign-in-tampered", failure.Message, StringComparison.Ordinal);
    }
}
