using Microsoft.Net.Http.Headers;

namespace StaticHost.Assets;

/// <summary>Serves an <see cref="AssetCatalog"/>: the document at <c>/</c> and <c>/index.html</c>, assets under <c>/assets/</c>.</summary>
internal static class AssetEndpoints
{
    /// <summary>
    /// The page may only load its own fingerprinted files and call the same-origin API:
    /// no inline script or style, no eval, no plugins, no framing.
    /// </summary>
    public const string DocumentContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly string[] ReadMethods = [HttpMethods.Get, HttpMethods.Head];

    public static IEndpointRouteBuilder MapAssetCatalog(this IEndpointRouteBuilder endpoints, AssetCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(catalog);

        var document = catalog.Document;
        RequestDelegate serveDocument = context =>
        {
            context.Response.Headers.ContentSecurityPolicy = DocumentContentSecurityPolicy;
            return WriteAsync(context, document);
        };
        endpoints.MapMethods("/", ReadMethods, serveDocument).WithDisplayName("Document /");
        endpoints.MapMethods(document.RequestPath, ReadMethods, serveDocument).WithDisplayName($"Document {document.RequestPath}");

        endpoints.MapMethods(AssetPipeline.AssetsPathPrefix + "{**path}", ReadMethods, context =>
        {
            if (!catalog.TryGetByRequestPath(context.Request.Path.Value ?? string.Empty, out var asset))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }

            return WriteAsync(context, asset);
        }).WithDisplayName("Fingerprinted assets");

        return endpoints;
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
            response.Headers.Vary = HeaderNames.AcceptEncoding;
        }

        if (ContentNegotiation.IfNoneMatchMatches(request.Headers.IfNoneMatch, representation.ETag))
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
