using WebApi.Content;

namespace WebApi.Tests.Content;

public sealed class ContentSanitizerTests
{
    private readonly ContentSanitizer _sanitizer = new();

    [Theory]
    [InlineData("<p>ok</p><script>alert(1)</script>", "<script")]
    [InlineData("<img src=x onerror=\"alert(1)\">", "onerror")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>", "javascript:")]
    [InlineData("<iframe src=\"https://evil.example\"></iframe>", "<iframe")]
    [InlineData("<form action=\"https://evil.example\"><input name=q></form>", "<form")]
    [InlineData("<div style=\"background:url(javascript:alert(1))\">x</div>", "javascript:")]
    public void Html_that_could_run_script_is_removed(string html, string forbidden)
    {
        Assert.DoesNotContain(forbidden, _sanitizer.SanitizeHtml(html), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Ordinary_formatting_and_https_links_survive()
    {
        const string Html = "<p><strong>Done</strong>: see <a href=\"https://example.com/evidence\">evidence</a></p>";

        Assert.Equal(Html, _sanitizer.SanitizeHtml(Html));
    }

    [Theory]
    [InlineData("![the diagram](https://example.com/d.png)", "<p><a href=\"https://example.com/d.png\">the diagram</a></p>\n")]
    [InlineData("![](https://example.com/d.png)", "<p><a href=\"https://example.com/d.png\">https://example.com/d.png</a></p>\n")]
    [InlineData("![tracker](javascript:alert(1))", "<p>tracker</p>\n")]
    public void An_image_in_markdown_becomes_a_link_to_it(string markdown, string html)
    {
        Assert.Equal(html, _sanitizer.RenderMarkdown(markdown));
    }

    [Fact]
    public void Markdown_renders_formatting_and_shows_raw_html_as_text()
    {
        var html = _sanitizer.RenderMarkdown("**Done** <script>alert(1)</script> [evidence](https://example.com/e)");

        Assert.Contains("<strong>Done</strong>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://example.com/e\">evidence</a>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Markdown_links_to_script_urls_are_dropped()
    {
        var html = _sanitizer.RenderMarkdown("[click](javascript:alert(1)) and ![i](data:text/html;base64,PHNjcmlwdD4=)");

        Assert.DoesNotContain("javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("data:", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Markdown_nested_deeper_than_the_renderer_goes_is_not_rendered_as_markdown_and_is_shown_as_its_text()
    {
        var deep = new string('>', 128) + " x\r\n<script>alert(1)</script>";

        Assert.False(_sanitizer.TryRenderMarkdown(deep, out _));
        var html = _sanitizer.RenderMarkdown(deep);

        Assert.StartsWith("<p>&gt;&gt;&gt;", html, StringComparison.Ordinal);
        Assert.EndsWith(" x<br>\n&lt;script&gt;alert(1)&lt;/script&gt;</p>", html, StringComparison.Ordinal);
        Assert.True(_sanitizer.TryRenderMarkdown("> > > quoted *three* levels", out _));
    }
}
