using Microsoft.Net.Http.Headers;

namespace StaticHost.Assets;

/// <summary>
/// Serves an <see cref="AssetCatalog"/>: the document at <c>/</c>, <c>/index.html</c> and every client route, the
/// built files at their own paths, and the document with 404 for any other page a browser asks for.
/// </summary>
internal static class AssetEndpoints
{
    /// <summary>The trusted-types policy that may create HTML: the client's only way to insert server-sanitized HTML.</summary>
    public const string TrustedTypesPolicy = "sanitized-html";

    /// <summary>
    /// The page may load only its own scripts, stylesheets and images and call the same-origin API: no inline script
    /// or style, no eval, no plugins, no &lt;base&gt;, no native form submissions (the app sends its own requests), no
    /// framing. HTML strings reach the DOM only through the one Trusted Types policy named here.
    /// </summary>
    public const string DocumentContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'; "
        + "require-trusted-types-for 'script'; trusted-types " + TrustedTypesPolicy;

    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapAssetCatalog(this IEndpointRouteBuilder endpoints, AssetCatalog catalog, IReadOnlyList<string> clientRoutes)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(clientRoutes);

        var document = catalog.Document;
        RequestDelegate serveDocument = context => WriteDocumentAsync(context, document);
        foreach (var route in clientRoutes.Append(document.RequestPath).Distinct(StringComparer.Ordinal))
        {
            endpoints.MapMethods(route, ReadMethods, serveDocument).WithDisplayName($"Document {route}");
        }

        foreach (var file in catalog.Files)
        {
            endpoints.MapMethods(file.RequestPath, ReadMethods, context => WriteAsync(context, file)).WithDisplayName($"File {file.RequestPath}");
        }

        // Anything else: a page the app does not have gets its "not found" page (index.html, 404) when a browser
        // navigates to it; other requests get 404 problem details from the status code pages. Every path, not only
        // those without a dot (MapFallback's default pattern): /docs/v1.2 is a page a browser may ask for too.
        endpoints.MapFallback("{*path}", context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.Headers.Vary = HeaderNames.Accept;
            return IsPageRequest(context.Request) && !context.Request.Path.StartsWithSegments(AssetPipeline.AssetsPathPrefix.TrimEnd('/'))
                ? WriteDocumentAsync(context, document)
                : Task.CompletedTask;
        })
            .WithDisplayName("Not found")
            // Nothing here changes state: a stray POST with cookies is a 404, not an antiforgery failure.
            .DisableAntiforgery();

        return endpoints;
    }

    /// <summary>A GET or HEAD that accepts HTML: a browser navigating, not a script fetching data.</summary>
    private static bool IsPageRequest(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && request.Headers.Accept.Any(value => value?.Contains("text/html", StringComparison.OrdinalIgnoreCase) == true);

    private static Task WriteDocumentAsync(HttpContext context, StaticAsset document)
    {
        context.Response.Headers.ContentSecurityPolicy = DocumentContentSecurityPolicy;
        return WriteAsync(context, document);
    }

    /// <summary>Writes the representation negotiated from <c>Accept-Encoding</c>, or 304 when <c>If-None-Match</c> matches it.</summary>
    internal static Task WriteAsync(HttpContext context, StaticAsset asset)
    {
        var request = context.Request;
        var response = context.Response;
        var representation = ContentNegotiation.SelectRepresentation(asset, request.Headers.AcceptEncoding);

        response.Headers.CacheControl = asset.CacheControl;
        response.Headers.ETag = representation.ETag.ToString();
        if (asset.HasEncodedVariants)
        {
            response.Headers.Append(HeaderNames.Vary, HeaderNames.AcceptEncoding);
        }

        // Only a 200 can become a 304: a 404 page is always sent whole.
        if (response.StatusCode == StatusCodes.Status200OK && ContentNegotiation.IfNoneMatchMatches(request.Headers.IfNoneMatch, representation.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.ContentType = asset.ContentType;
        if (representation.ContentEncoding is { } contentEncoding)
        {
            response.Headers.ContentEncoding = contentEncoding;
        }

        response.ContentLength = representation.Content.Length;
        return HttpMethods.IsHead(request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(representation.Content, context.RequestAborted).AsTask();
    }
}
