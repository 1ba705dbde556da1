using System.Text.RegularExpressions;
using AppHost.Tests.Deployment;
using Microsoft.Playwright;

namespace AppHost.Tests.Browser;

/// <summary>
/// One person's browser for one test: a fresh context (no cookies) on the stack's proxy over HTTPS, and its page.
/// Everything the page should never do is collected as it happens: console errors, Content-Security-Policy
/// violations, uncaught exceptions and dialogs. <see cref="CheckPageAsync"/> saves a screenshot, runs axe and files
/// what it found under the page's name; call it on every page the test visits. <see cref="AssertClean"/>, at the end
/// of every test, fails listing all of it: the flow goes on past the first finding, so one run shows every one.
/// </summary>
internal sealed class BrowserSession : IAsyncDisposable
{
    /// <summary>The screenshots, beside the trx files of <c>.ci/run</c>, kept by CI as artifacts.</summary>
    public static readonly string ScreenshotFolder = RepositoryFiles.Path("TestResults", "screenshots");

    /// <summary>
    /// Added to every document before its own scripts run. The listener is the page's, so it sees what the page's CSP
    /// blocks (Trusted Types included); the report goes out through a Playwright binding, which survives navigation.
    /// </summary>
    private const string CspViolationListener = """
        document.addEventListener("securitypolicyviolation", (e) =>
          window.reportCspViolation(`${e.effectiveDirective} blocked ${e.blockedURI || "(inline)"} in ${e.sourceFile || e.documentURI}:${e.lineNumber} ${e.sample}`));
        """;

    private readonly List<string> _problems = [];
    private readonly List<string> _findings = [];
    private readonly List<Regex> _expectedConsoleErrors = [];
    private readonly string _test;

    private BrowserSession(IBrowserContext context, IPage page, Uri baseAddress, string test)
    {
        Context = context;
        Page = page;
        BaseAddress = baseAddress;
        _test = test;
    }

    public IBrowserContext Context { get; }

    public IPage Page { get; }

    /// <summary>https://localhost:&lt;proxy port&gt;/</summary>
    public Uri BaseAddress { get; }

    /// <summary>What went wrong in the page so far, each as one line.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>A new browser context on <paramref name="stack"/>'s proxy; <paramref name="test"/> names its screenshots.</summary>
    public static async Task<BrowserSession> OpenAsync(ChromiumFixture chromium, StackFixture stack, string test, int width = 1280, int height = 800)
    {
        var browser = await chromium.BrowserAsync(stack);
        var baseAddress = ProxyClient.HttpsBase(stack.App);
        var context = await browser.NewContextAsync(new()
        {
            BaseURL = baseAddress.AbsoluteUri,
            ViewportSize = new() { Width = width, Height = height },
            Locale = "en-GB",
            TimezoneId = "UTC",
        });
        // Generous: the stack shares two loaded cores with the tests; nothing here measures time.
        context.SetDefaultTimeout(30_000);
        Assertions.SetDefaultExpectTimeout(30_000);
        var page = await context.NewPageAsync();
        var session = new BrowserSession(context, page, baseAddress, test);
        await context.ExposeFunctionAsync("reportCspViolation", (string violation) => session.Add("CSP violation: " + violation));
        await context.AddInitScriptAsync(CspViolationListener);
        page.Console += (_, message) =>
        {
            var text = $"{message.Text} ({message.Location})";
            if (message.Type == "error" && !session.IsExpected(text))
            {
                session.Add("console error: " + text);
            }
        };
        page.PageError += (_, error) => session.Add("uncaught exception: " + error);
        page.Dialog += (_, dialog) =>
        {
            session.Add($"{dialog.Type} dialog opened: {dialog.Message}");
            _ = dialog.DismissAsync();
        };
        return session;
    }

    /// <summary>
    /// A console error the test provokes on purpose (Chromium logs every 4xx answer as one, with its URL: e.g. the
    /// 404 page's own document); <paramref name="pattern"/> matches "message (url:line:column)". Everything else counts.
    /// </summary>
    public void ExpectConsoleError(string pattern) =>
        _expectedConsoleErrors.Add(new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1)));

    public Task<IResponse?> GotoAsync(string path) => Page.GotoAsync(path);

    /// <summary>
    /// A write to the API from the page, with its cookies and an antiforgery token, for what a test needs that no page
    /// of its own offers (the page under test still does the part being tested). Returns the JSON body.
    /// </summary>
    public Task<System.Text.Json.JsonElement> ApiPostAsync(string path, object body) => ApiAsync("POST", path, body);

    /// <summary>A replacing write from the page, as another tab of the same reader would send it.</summary>
    public Task<System.Text.Json.JsonElement> ApiPutAsync(string path, object body, string ifMatch) => ApiAsync("PUT", path, body, ifMatch);

    /// <summary>A partial write from the page, as another tab of the same reader would send it.</summary>
    public Task<System.Text.Json.JsonElement> ApiPatchAsync(string path, object body, string ifMatch) => ApiAsync("PATCH", path, body, ifMatch);

    /// <summary>A read of the API from the page, with its cookies: what the page should be showing. Returns the JSON body.</summary>
    public Task<System.Text.Json.JsonElement> ApiGetAsync(string path) => ApiAsync("GET", path, null);

    private async Task<System.Text.Json.JsonElement> ApiAsync(string method, string path, object? body, string? ifMatch = null)
    {
        var answer = await Page.EvaluateAsync<System.Text.Json.JsonElement>("""
            async ([method, path, body, ifMatch]) => {
              const headers = {};
              if (method !== "GET") {
                const token = await (await fetch("/api/antiforgery/token")).json();
                headers["Content-Type"] = "application/json";
                headers["X-CSRF-TOKEN"] = token.requestToken;
              }
              if (ifMatch !== null) headers["If-Match"] = ifMatch;
              const response = await fetch(path, { method, headers, body: body === null ? undefined : JSON.stringify(body) });
              return { status: response.status, body: await response.text() };
            }
            """, new[] { method, path, body, ifMatch });
        var status = answer.GetProperty("status").GetInt32();
        var text = answer.GetProperty("body").GetString()!;
        Assert.True(status is >= 200 and < 300, $"{method} {path}: {status} {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement;
    }

    /// <summary>A route's answer while the API cannot reach its database: 503 with a problem.</summary>
    public static Task AnswerUnavailableAsync(IRoute route) => route.FulfillAsync(new()
    {
        Status = 503,
        ContentType = "application/problem+json",
        Body = """{"title":"Service Unavailable","status":503,"detail":"The database did not answer."}""",
    });

    /// <summary>
    /// The page as it is now: saves <c>TestResults/screenshots/&lt;test&gt;-&lt;page&gt;.png</c>, runs axe, and files every
    /// serious or critical violation and every problem so far under <paramref name="pageName"/>.
    /// </summary>
    public async Task CheckPageAsync(string pageName)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        await Page.ScreenshotAsync(new() { Path = Path.Combine(ScreenshotFolder, $"{_test}-{pageName}.png"), FullPage = true });
        var violations = await AccessibilityCheck.SeriousViolationsAsync(Page);
        lock (_problems)
        {
            _findings.AddRange(_problems.Select(problem => $"on {pageName} ({Page.Url}): {problem}"));
            _findings.AddRange(violations.Select(violation => $"axe on {pageName} ({Page.Url}): {violation}"));
            _problems.Clear();
        }
    }

    /// <summary><see cref="CheckPageAsync"/>, and nothing wider than the screen: the page never scrolls sideways.</summary>
    public async Task CheckPageFitsAsync(string pageName)
    {
        await CheckPageAsync(pageName);
        var widths = await Page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        Assert.True(widths[0] <= widths[1], $"{pageName} is {widths[0]} px wide on a {widths[1]} px screen");
    }

    /// <summary>Fails listing every axe violation, console error, CSP violation, uncaught exception and dialog so far.</summary>
    public void AssertClean()
    {
        List<string> all;
        lock (_problems)
        {
            all = [.. _findings, .. _problems.Select(problem => $"on {Page.Url}: {problem}")];
        }

        Assert.True(all.Count == 0, $"{all.Count} problems in the browser:\n" + string.Join("\n", all));
    }

    public async ValueTask DisposeAsync() => await Context.CloseAsync();

    private void Add(string problem)
    {
        lock (_problems)
        {
            _problems.Add(problem);
        }
    }

    private bool IsExpected(string consoleError) => _expectedConsoleErrors.Any(pattern => pattern.IsMatch(consoleError));
}
