using System.Data.Common;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using WebApi.Accounts;
using WebApi.Audit;
using WebApi.Data;
using WebApi.Http;
using WebApi.Reviews;
using WebApi.Teams;

namespace WebApi.Evidence;

/// <summary>
/// Files attached to review items. Uploads stream from the request into blob storage; the type comes from the file's
/// first bytes; a row exists only for a stored blob, and a blob whose row could not be written is deleted again.
/// </summary>
public static class EvidenceEndpoints
{
    public static IHostApplicationBuilder AddEvidence(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<EvidenceOptions>()
            .Bind(builder.Configuration.GetSection("Evidence"))
            .Validate(o => o.MaxUploadBytes >= 1, "Evidence:MaxUploadBytes must be at least 1.")
            .Validate(o => o.MaxFilesPerItem >= 1, "Evidence:MaxFilesPerItem must be at least 1.")
            .ValidateOnStart();
        builder.Services.AddSingleton<EvidenceStorage>();
        builder.Services.AddHostedService<EvidenceOrphanSweep>();
        builder.Services.AddExceptionHandler<EvidenceStorageUnavailableHandler>();
        // Degraded, not unhealthy: without storage only evidence fails, and the replica should keep serving the rest.
        builder.Services.AddHealthChecks().AddCheck<EvidenceStorageHealthCheck>("evidence", Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded);
        return builder;
    }

    public static IEndpointRouteBuilder MapEvidenceEndpoints(this IEndpointRouteBuilder routes)
    {
        var ofItem = routes.MapGroup("/api/reviews/{reviewId:guid}/items/{itemId}/evidence").WithTags("Evidence");
        ofItem.MapGet("/", ListAsync).RequireAuthorization(AccessPolicies.Read);
        ofItem.MapPost("/", UploadAsync).RequireAuthorization(AccessPolicies.Write)
            .Accepts<IFormFile>("multipart/form-data")
            // Kestrel's 30 MB default does not apply: the upload stream enforces Evidence:MaxUploadBytes itself.
            .WithMetadata(new Microsoft.AspNetCore.Mvc.DisableRequestSizeLimitAttribute())
            // 409: the review is completed and frozen, or the item holds Evidence:MaxFilesPerItem files already.
            .ProducesProblem(StatusCodes.Status409Conflict);

        var evidence = routes.MapGroup("/api/evidence/{id:guid}").WithTags("Evidence");
        // The file itself, as the type its first bytes were judged to be at upload.
        evidence.MapGet("/content", DownloadAsync).RequireAuthorization(AccessPolicies.Read)
            .Produces<Stream>(StatusCodes.Status200OK, FileSignatures.Allowed[0], [.. FileSignatures.Allowed.Skip(1)]);
        evidence.MapPost("/link", LinkAsync).RequireAuthorization(AccessPolicies.Read);
        evidence.MapDelete("/", DeleteAsync).RequireAuthorization(AccessPolicies.Write).ProducesProblem(StatusCodes.Status409Conflict);
        return routes;
    }

    private static async Task<Results<Ok<List<EvidenceResponse>>, ProblemHttpResult>> ListAsync(
        Guid reviewId, string itemId, HttpContext http, ReadinessDbContext db, CancellationToken cancellationToken)
    {
        var found = await ReviewEndpoints.FindForAsync(db, reviewId, http.User.UserId(), TeamRole.Viewer, cancellationToken, tracking: false, withItems: false);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        var files = await db.EvidenceFiles.AsNoTracking()
            .Where(e => e.ReviewId == reviewId && e.ItemId == itemId)
            .OrderBy(e => e.UploadedAt)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(files.Select(ToResponse).ToList());
    }

    private static async Task<Results<Created<EvidenceResponse>, ProblemHttpResult>> UploadAsync(
        Guid reviewId, string itemId, HttpContext http, ReadinessDbContext db, EvidenceStorage storage, IOptions<EvidenceOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        // A declared length over the limit is refused before a byte is read (multipart framing allowed for).
        if (http.Request.ContentLength > limits.MaxUploadBytes + 64 * 1024)
        {
            return TooLarge(limits.MaxUploadBytes);
        }

        var found = await ReviewEndpoints.FindForAsync(db, reviewId, http.User.UserId(), TeamRole.Maintainer, cancellationToken, tracking: false, withItems: false);
        if (found.Problem is not null)
        {
            return found.Problem;
        }

        if (!await db.ReviewItems.AnyAsync(i => i.ReviewId == reviewId && i.ItemId == itemId, cancellationToken))
        {
            return ProblemDetailsResponse.NotFound("review item");
        }

        if (found.Review!.State == ReviewState.Completed)
        {
            return ProblemDetailsResponse.Conflict("The review is completed and frozen; start a new review to add evidence.");
        }

        // Answered before a byte of the file is read; the save counts again, under the item's lock.
        if (await ItemIsFullAsync(db, reviewId, itemId, limits.MaxFilesPerItem, cancellationToken))
        {
            return ItemFull(limits.MaxFilesPerItem);
        }

        (Stream Body, string FileName)? section;
        byte[] head;
        try
        {
            section = await FirstFileSectionAsync(http.Request, cancellationToken);
            head = section is null ? [] : await ReadHeadAsync(section.Value.Body, cancellationToken);
        }
        catch (Exception exception) when (IsMalformedMultipart(exception, http))
        {
            return MalformedMultipart();
        }

        if (section is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "No file",
                detail: "Send the file as multipart/form-data, in a part named \"file\" with a filename.");
        }

        var contentType = FileSignatures.Detect(head, complete: head.Length < FileSignatures.SniffLength);
        if (contentType is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "File type not allowed",
                detail: $"Judged by its content, the file is none of: {string.Join(", ", FileSignatures.Allowed)}.");
        }

        var blobName = EvidenceStorage.NewBlobName();
        await using var content = new InspectingStream(head, section.Value.Body, limits.MaxUploadBytes, mustStayText: !IsBinary(contentType));
        try
        {
            await storage.UploadAsync(blobName, content, contentType, cancellationToken);
        }
        catch (EvidenceRejectedException rejected)
        {
            // The blob client may have committed blocks before the check failed.
            await storage.DeleteManyAsync([blobName], CancellationToken.None);
            return TypedResults.Problem(statusCode: rejected.StatusCode, title: rejected.StatusCode == StatusCodes.Status413PayloadTooLarge ? "File too large" : "File type not allowed", detail: rejected.Message);
        }
        catch (Exception exception) when (IsMalformedMultipart(exception, http))
        {
            await storage.DeleteManyAsync([blobName], CancellationToken.None);
            return MalformedMultipart();
        }

        var file = new EvidenceFile
        {
            ReviewId = reviewId,
            ItemId = itemId,
            BlobName = blobName,
            FileName = FileNames.Sanitize(section.Value.FileName),
            ContentType = contentType,
            Length = content.BytesRead,
            Sha256 = content.Sha256,
            UploadedBy = http.User.UserId(),
            UploadedAt = time.GetUtcNow(),
        };
        try
        {
            db.EvidenceFiles.Add(file);
            db.Record(http.User, "evidence.added", "evidence", file.Id.ToString(), null, Snapshot(file),
                teamId: found.Service!.TeamId, serviceId: found.Review.ServiceId, reviewId: reviewId);
            var refused = await FrozenReviews.SaveEvidenceWhileOpenAsync(db, reviewId, async token =>
            {
                // Uploads to one item take turns from here to their commit, so two at once cannot both take the last place.
                await db.Database.ExecuteSqlAsync(
                    $"""SELECT 1 FROM "ReviewItems" WHERE "ReviewId" = {reviewId} AND "ItemId" = {itemId} FOR NO KEY UPDATE""", token);
                return await ItemIsFullAsync(db, reviewId, itemId, limits.MaxFilesPerItem, token) ? ItemFull(limits.MaxFilesPerItem) : null;
            }, cancellationToken);
            if (refused is not null)
            {
                await storage.DeleteManyAsync([blobName], CancellationToken.None);
                return refused;
            }
        }
        catch
        {
            // No row, so no blob either: unless the commit happened and only its answer was lost (the retry then failed
            // on the row it had made), which only the database can tell. When it cannot, the orphan sweep decides later.
            if (await RowIsMissingAsync(db, file.Id))
            {
                await storage.DeleteManyAsync([blobName], CancellationToken.None);
            }

            throw;
        }

        http.Response.SetETag(file.Version);
        return TypedResults.Created(ContentUrl(file.Id), ToResponse(file));
    }

    private static async Task<bool> RowIsMissingAsync(ReadinessDbContext db, Guid id)
    {
        try
        {
            return !await db.EvidenceFiles.AsNoTracking().AnyAsync(e => e.Id == id, CancellationToken.None);
        }
        catch (Exception exception) when (exception is DbException or InvalidOperationException or TimeoutException or Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException)
        {
            return false;
        }
    }

    private static Task<bool> ItemIsFullAsync(ReadinessDbContext db, Guid reviewId, string itemId, int maxFiles, CancellationToken cancellationToken) =>
        db.EvidenceFiles.Where(e => e.ReviewId == reviewId && e.ItemId == itemId).Skip(maxFiles - 1).AnyAsync(cancellationToken);

    private static ProblemHttpResult ItemFull(int maxFiles) =>
        ProblemDetailsResponse.Conflict($"The item holds {maxFiles} evidence files, the most it may; delete one to add another.");

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> DownloadAsync(
        Guid id, HttpContext http, ReadinessDbContext db, EvidenceStorage storage, CancellationToken cancellationToken)
    {
        var found = await FindForAsync(db, id, http.User.UserId(), cancellationToken);
        if (found is not { File: var file })
        {
            return ProblemDetailsResponse.NotFound("evidence");
        }

        Stream stream;
        try
        {
            stream = await storage.OpenReadAsync(file.BlobName, cancellationToken);
        }
        catch (Azure.RequestFailedException missing) when (missing.Status == StatusCodes.Status404NotFound)
        {
            // The row without its file: a database restored to a time after the file was deleted, say.
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not Found",
                detail: "This evidence's file is missing from storage; delete the evidence and upload the file again.");
        }

        // Saved, never shown: the browser does not render or run it, whatever it contains (nosniff is on every response).
        http.Response.Headers.ContentDisposition = EvidenceStorage.ContentDisposition(file.FileName);
        http.Response.Headers.CacheControl = "private, no-store";
        return TypedResults.Stream(stream, file.ContentType);
    }

    private static async Task<Results<Ok<EvidenceLinkResponse>, ProblemHttpResult>> LinkAsync(
        Guid id, HttpContext http, ReadinessDbContext db, EvidenceStorage storage, IOptions<EvidenceOptions> options, TimeProvider time, CancellationToken cancellationToken)
    {
        var found = await FindForAsync(db, id, http.User.UserId(), cancellationToken);
        if (found is not { File: var file })
        {
            return ProblemDetailsResponse.NotFound("evidence");
        }

        var lifetime = options.Value.LinkLifetime;
        http.Response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(new EvidenceLinkResponse(storage.ReadLink(file.BlobName, file.FileName, file.ContentType, lifetime), time.GetUtcNow().Add(lifetime)));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        Guid id, HttpContext http, ReadinessDbContext db, EvidenceStorage storage, CancellationToken cancellationToken)
    {
        var found = await FindForAsync(db, id, http.User.UserId(), cancellationToken);
        if (found is null)
        {
            return ProblemDetailsResponse.NotFound("evidence");
        }

        var file = found.File;
        if (!found.Role.Allows(TeamRole.Maintainer))
        {
            return ProblemDetailsResponse.Forbidden(TeamAccess.Describe(TeamRole.Maintainer));
        }

        if (http.Request.CheckIfMatch(file.Version, out var expected) is { } failed)
        {
            return failed;
        }

        if (found.ReviewState == ReviewState.Completed)
        {
            return ProblemDetailsResponse.Conflict("The review is completed and frozen.");
        }

        // Attached as deleted, then conditioned on the client's version.
        db.EvidenceFiles.Remove(file);
        db.ExpectVersion(file, expected);
        db.Record(http.User, "evidence.deleted", "evidence", file.Id.ToString(), Snapshot(file), null,
            teamId: found.TeamId, serviceId: found.ServiceId, reviewId: file.ReviewId);
        if (await FrozenReviews.SaveEvidenceWhileOpenAsync(db, file.ReviewId, whileOpen: null, cancellationToken) is { } frozen)
        {
            return frozen;
        }

        // The row is gone, so the file is unreachable; if this delete fails the sweep removes it later.
        await storage.DeleteManyAsync([file.BlobName], CancellationToken.None);
        return TypedResults.NoContent();
    }

    private sealed record FoundEvidence(EvidenceFile File, ReviewState ReviewState, Guid ServiceId, Guid TeamId, TeamRole Role);

    /// <summary>The evidence (untracked) and what access to it depends on, or null when the user is not in its team.</summary>
    private static Task<FoundEvidence?> FindForAsync(ReadinessDbContext db, Guid id, string userId, CancellationToken cancellationToken) =>
        db.EvidenceFiles.AsNoTracking().Where(e => e.Id == id)
            .Join(db.Reviews, e => e.ReviewId, r => r.Id, (e, r) => new { File = e, r.State, r.ServiceId })
            .Join(db.Services, x => x.ServiceId, s => s.Id, (x, s) => new { x.File, x.State, x.ServiceId, s.TeamId })
            .Join(db.TeamMembers.Where(m => m.UserId == userId), x => x.TeamId, m => m.TeamId, (x, m) => new FoundEvidence(x.File, x.State, x.ServiceId, x.TeamId, m.Role))
            .SingleOrDefaultAsync(cancellationToken);

    /// <summary>The first part that carries a file name; other form fields before it are skipped.</summary>
    private static async Task<(Stream Body, string FileName)?> FirstFileSectionAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value is not { Length: > 0 and <= 200 } boundary)
        {
            return null;
        }

        var reader = new MultipartReader(boundary, request.Body);
        while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
        {
            if (FileNames.FromContentDisposition(section.ContentDisposition) is { } name)
            {
                return (section.Body, name);
            }
        }

        return null;
    }

    private static async Task<byte[]> ReadHeadAsync(Stream body, CancellationToken cancellationToken)
    {
        var buffer = new byte[FileSignatures.SniffLength];
        var filled = 0;
        while (filled < buffer.Length)
        {
            var read = await body.ReadAsync(buffer.AsMemory(filled), cancellationToken);
            if (read == 0)
            {
                break;
            }

            filled += read;
        }

        return buffer[..filled];
    }

    /// <summary>
    /// The multipart reader's refusal of the body: a part that never ends (IOException) or headers it cannot parse
    /// (InvalidDataException). Kestrel's own refusals (BadHttpRequestException) and an aborted request are not.
    /// </summary>
    private static bool IsMalformedMultipart(Exception exception, HttpContext http) =>
        exception is (IOException and not BadHttpRequestException) or InvalidDataException
        && !http.RequestAborted.IsCancellationRequested;

    private static ProblemHttpResult MalformedMultipart() => TypedResults.Problem(
        statusCode: StatusCodes.Status400BadRequest, title: "Malformed upload",
        detail: "The multipart/form-data body is malformed: each part needs its headers, a blank line, and the closing boundary.");

    private static bool IsBinary(string contentType) => contentType is "image/png" or "image/jpeg" or "application/pdf";

    private static ProblemHttpResult TooLarge(long max) => TypedResults.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large", detail: $"The file is larger than the {max} bytes allowed.");

    private static string ContentUrl(Guid id) => $"/api/evidence/{id}/content";

    private static object Snapshot(EvidenceFile file) => new { file.ItemId, file.FileName, file.ContentType, file.Length, file.Sha256 };

    private static EvidenceResponse ToResponse(EvidenceFile file) => new(
        file.Id, file.ReviewId, file.ItemId, file.FileName, file.ContentType, file.Length, file.Sha256, file.UploadedBy, file.UploadedAt,
        ContentUrl(file.Id), Preconditions.ETag(file.Version));
}
