using System.Net;
using System.Net.Http.Json;
using WebApi.Tests.OpenApi;

namespace WebApi.Tests.Content;

/// <summary>
/// The Markdown preview as WebApi describes and guards it, in process (no database: the rendering itself, behind a
/// signed-in user, is tested against the whole stack in AppHost.Tests' MarkdownPreviewTests).
/// </summary>
public sealed class MarkdownPreviewDocumentTests(DocumentedWebApi api) : IClassFixture<DocumentedWebApi>
{
    private const string Operation = "POST /api/markdown/preview";
    private static readonly string[] s_statuses = ["200", "400", "401", "403", "413", "415"];

    [Fact]
    public async Task The_preview_is_documented_with_the_notes_limit_for_a_session_with_its_antiforgery_header_or_a_token()
    {
        using var document = await api.GetDocumentAsync();
        var operation = ApiDescriptionCheck.Operations(document.RootElement)[Operation];

        Assert.Equal(["antiforgery+cookie", "bearer"], ApiDescriptionCheck.SecurityAlternatives(operation));
        var responses = operation.GetProperty("responses");
        Assert.All(s_statuses, status => Assert.True(responses.TryGetProperty(status, out _), $"{Operation} lacks {status}"));
        var reference = operation.GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString()!;
        var request = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty(reference[(reference.LastIndexOf('/') + 1)..]);
        Assert.Contains("markdown", request.GetProperty("required").EnumerateArray().Select(name => name.GetString()));
        Assert.Equal(20_000, request.GetProperty("properties").GetProperty("markdown").GetProperty("maxLength").GetInt32());
    }

    [Fact]
    public async Task Without_a_session_or_a_token_the_preview_answers_401()
    {
        using var client = api.CreatePlainClient();

        using var response = await client.PostAsJsonAsync(new Uri("/api/markdown/preview", UriKind.Relative), new { markdown = "**x**" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
