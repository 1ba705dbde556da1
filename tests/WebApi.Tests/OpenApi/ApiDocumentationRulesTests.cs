using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace WebApi.Tests.OpenApi;

/// <summary>
/// The documentation's rules on routes WebApi does not have yet (authenticated reads and writes, a hidden route),
/// in a bare app with only AddApiDocumentation and MapApiDocumentation, on a test server.
/// </summary>
public sealed class ApiDocumentationRulesTests
{
    [Fact]
    public async Task The_route_check_reports_a_route_hidden_from_the_document()
    {
        var (endpoints, _, document) = await DescribeAsync(app =>
        {
            app.MapGet("/api/shown", () => "shown");
            app.MapGet("/api/hidden", () => "hidden").ExcludeFromDescription();
        });

        using (document)
        {
            Assert.Equal(["GET /api/hidden"], ApiDescriptionCheck.Undescribed(endpoints, document.RootElement, OpenApiDocumentTests.Undocumented));
        }
    }

    [Fact]
    public async Task Authenticated_operations_take_the_cookie_with_antiforgery_on_writes_or_a_bearer_token_unless_they_take_only_the_session()
    {
        var (endpoints, authorization, document) = await DescribeAsync(app =>
        {
            app.MapGet("/api/reviews", () => "mine").RequireAuthorization();
            app.MapPost("/api/account/keys", () => TypedResults.Created())
                .RequireAuthorization(policy => policy.RequireAuthenticatedUser().AddAuthenticationSchemes(IdentityConstants.ApplicationScheme));
            app.MapPost("/api/reviews", () => TypedResults.Created()).RequireAuthorization();
            app.MapDelete("/api/reviews/{id:int}", (int id) => TypedResults.NoContent()).RequireAuthorization("owner");
            app.MapGet("/api/checklists", () => "public");
            app.MapGet("/api/status", () => "open").RequireAuthorization().AllowAnonymous();
        });

        using (document)
        {
            var operations = ApiDescriptionCheck.Operations(document.RootElement);
            var authenticated = ApiDescriptionCheck.AuthenticatedRoutes(endpoints, authorization);
            Assert.Equal(["DELETE /api/reviews/{id}", "GET /api/reviews", "POST /api/account/keys", "POST /api/reviews"], authenticated.Order(StringComparer.Ordinal));
            OpenApiDocumentTests.AssertSecurityFollowsAuthorization(authenticated, operations, ["POST /api/account/keys"]);
            OpenApiDocumentTests.AssertErrorsAreProblemDetails(document.RootElement);
        }
    }

    [Fact]
    public async Task Writes_may_answer_400_for_the_antiforgery_check_unless_it_is_off_and_413_for_a_large_body()
    {
        var (_, _, document) = await DescribeAsync(app =>
        {
            app.MapPost("/api/reviews", () => TypedResults.Created());
            app.MapPost("/api/webhooks", () => TypedResults.NoContent()).DisableAntiforgery();
            app.MapDelete("/api/reviews/{id}", (string id) => TypedResults.NoContent());
        });

        using (document)
        {
            var operations = ApiDescriptionCheck.Operations(document.RootElement);
            Assert.Equal(["400", "413"], Statuses(operations["POST /api/reviews"], "400", "413"));
            Assert.Equal(["413"], Statuses(operations["POST /api/webhooks"], "400", "413"));
            Assert.Equal(["400"], Statuses(operations["DELETE /api/reviews/{id}"], "400", "413"));
            OpenApiDocumentTests.AssertErrorsAreProblemDetails(document.RootElement);
        }
    }

    [Fact]
    public async Task Routes_outside_the_api_are_not_described()
    {
        var (_, _, document) = await DescribeAsync(app => app.MapGet("/internal/state", () => "state"));

        using (document)
        {
            Assert.DoesNotContain("GET /internal/state", ApiDescriptionCheck.Operations(document.RootElement).Keys);
        }
    }

    private static List<string> Statuses(JsonElement operation, params string[] among) =>
        [.. operation.GetProperty("responses").EnumerateObject().Select(response => response.Name).Where(among.Contains)];

    private static async Task<(EndpointDataSource Endpoints, AuthorizationOptions Authorization, JsonDocument Document)> DescribeAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseTestServer();
        builder.AddApiDocumentation();
        await using var app = builder.Build();
        app.MapApiDocumentation();
        map(app);
        await app.StartAsync();

        using var client = app.GetTestClient();
        var document = JsonDocument.Parse(await client.GetStringAsync(new Uri(OpenApiExtensions.DocumentPath, UriKind.Relative)));
        // Copied out of the app before it is disposed: the endpoints are built once and stay readable.
        var endpoints = new DefaultEndpointDataSource(app.Services.GetRequiredService<EndpointDataSource>().Endpoints);
        var authorization = app.Services.GetRequiredService<IOptions<AuthorizationOptions>>().Value;
        await app.StopAsync();
        return (endpoints, authorization, document);
    }
}
