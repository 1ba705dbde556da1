using System.Net;
using Azure.Storage.Blobs;
using Npgsql;

namespace AppHost.Tests.Product;

/// <summary>Uploads through nginx into Azurite: size, type by content, names, downloads, deletes.</summary>
[Collection(StackTestGroup.Name)]
public sealed class EvidenceTests(StackFixture stack) : IAsyncLifetime
{
    private ProductUser _user = null!;
    private string _evidencePath = "";
    private Guid _reviewId;

    public async Task InitializeAsync()
    {
        _user = await ProductUser.SignUpAsync(stack, "uploader");
        var service = await _user.CreateServiceAsync((await _user.CreateTeamAsync())["id"]!.GetValue<string>());
        var review = (await _user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, $"/api/services/{service["id"]}/reviews", new { }))!;
        _reviewId = Guid.Parse(review["id"]!.GetValue<string>());
        _evidencePath = $"/api/reviews/{_reviewId}/items/{review["items"]![0]!["itemId"]}/evidence";
    }

    public Task DisposeAsync()
    {
        _user.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_file_over_the_limit_gets_413_and_nothing_is_stored()
    {
        var blobsBefore = await BlobCountAsync();

        // Just over WebApi's 10 MiB: nginx lets it through (its limit is 11m), WebApi counts the bytes and refuses.
        var overLimit = await _user.ExpectAsync(HttpStatusCode.RequestEntityTooLarge, HttpMethod.Post, _evidencePath,
            content: ProductFlowTests.FileUpload("big.txt", Text((10 * 1024 * 1024) + 1)));
        Assert.Equal("File too large", overLimit!["title"]!.GetValue<string>());
        // Far over: nginx refuses before WebApi sees a byte.
        await _user.ExpectAsync(HttpStatusCode.RequestEntityTooLarge, HttpMethod.Post, _evidencePath,
            content: ProductFlowTests.FileUpload("huge.txt", Text(12 * 1024 * 1024)));

        Assert.Empty((await _user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, _evidencePath))!.AsArray());
        Assert.Equal(blobsBefore, await BlobCountAsync());
    }

    [Theory]
    // The fuzz run's unterminated upload: the file part never ends.
    [InlineData("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nunterminated")]
    // The same past the sniffed head, so it fails while streaming into storage.
    [InlineData("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\n{0}")]
    // A part whose headers never end.
    [InlineData("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"")]
    public async Task A_malformed_multipart_body_gets_400_and_nothing_is_stored(string body)
    {
        var blobsBefore = await BlobCountAsync();
        using var content = new StringContent(body.Replace("{0}", new string('x', 100_000), StringComparison.Ordinal), System.Text.Encoding.UTF8);
        content.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b");

        await _user.ExpectAsync(HttpStatusCode.BadRequest, HttpMethod.Post, _evidencePath, content: content);

        Assert.Empty((await _user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, _evidencePath))!.AsArray());
        Assert.Equal(blobsBefore, await BlobCountAsync());
    }

    [Fact]
    public async Task An_executable_named_png_gets_415_whatever_the_name_and_content_type_claim()
    {
        byte[] executable = [(byte)'M', (byte)'Z', 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, .. new byte[200]];
        var refused = await _user.ExpectAsync(HttpStatusCode.UnsupportedMediaType, HttpMethod.Post, _evidencePath,
            content: ProductFlowTests.FileUpload("screenshot.png", executable, "image/png"));
        Assert.Equal("File type not allowed", refused!["title"]!.GetValue<string>());

        // Markup that a browser would run is refused too, even named .txt.
        await _user.ExpectAsync(HttpStatusCode.UnsupportedMediaType, HttpMethod.Post, _evidencePath,
            content: ProductFlowTests.FileUpload("notes.txt", "<svg onload=alert(1)>"u8.ToArray(), "text/plain"));
        // Text that turns binary past the sniffed head is caught while it streams.
        await _user.ExpectAsync(HttpStatusCode.UnsupportedMediaType, HttpMethod.Post, _evidencePath,
            content: ProductFlowTests.FileUpload("log.txt", [.. Text(4096), 0x00, 0x01, 0x02]));

        Assert.Empty((await _user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, _evidencePath))!.AsArray());
    }

    [Fact]
    public async Task A_path_traversal_name_is_kept_only_as_a_harmless_name_and_the_blob_key_is_random()
    {
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, .. new byte[64]];
        var stored = (await _user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, _evidencePath,
            content: ProductFlowTests.FileUpload("../../../etc/passwd\u202Egnp.png", png, "text/html")))!;

        Assert.Equal("passwdgnp.png", stored["fileName"]!.GetValue<string>());
        Assert.Equal("image/png", stored["contentType"]!.GetValue<string>());

        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        await using var query = new NpgsqlCommand("""SELECT "BlobName" FROM "EvidenceFiles" WHERE "Id" = @id""", connection);
        query.Parameters.AddWithValue("id", Guid.Parse(stored["id"]!.GetValue<string>()));
        var blobName = (string)(await query.ExecuteScalarAsync())!;
        Assert.Matches("^[0-9a-f]{32}$", blobName);

        var container = await ContainerAsync();
        Assert.True(await container.GetBlobClient(blobName).ExistsAsync());

        using (var download = await _user.SendAsync(HttpMethod.Get, stored["contentUrl"]!.GetValue<string>()))
        {
            Assert.Equal(png, await download.Content.ReadAsByteArrayAsync());
            Assert.Equal("image/png", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("nosniff", Assert.Single(download.Headers.GetValues("X-Content-Type-Options")));
        }

        // The signed link reads the same bytes, saved as an attachment, and only for a few minutes.
        var link = (await _user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Post, $"/api/evidence/{stored["id"]}/link"))!;
        var url = new Uri(link["url"]!.GetValue<string>());
        Assert.Contains("sp=r&", url.Query, StringComparison.Ordinal);
        Assert.Contains("rscd=attachment", url.Query, StringComparison.Ordinal);
        using (var direct = new HttpClient())
        {
            Assert.Equal(png, await direct.GetByteArrayAsync(url));
        }

        // Deleting the evidence deletes the blob.
        await _user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/evidence/{stored["id"]}", ifMatch: stored["etag"]!.GetValue<string>());
        Assert.False(await container.GetBlobClient(blobName).ExistsAsync());
        await _user.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, stored["contentUrl"]!.GetValue<string>());
    }

    [Fact]
    public async Task Evidence_whose_file_is_missing_from_storage_downloads_as_404_not_500()
    {
        var stored = (await _user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, _evidencePath,
            content: ProductFlowTests.FileUpload("restored.txt", "kept by the row only\n"u8.ToArray())))!;
        // The row without its file: a database restored to a time after the file was deleted leaves this.
        await using (var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness")))
        {
            await connection.OpenAsync();
            await using var blobName = new NpgsqlCommand("""SELECT "BlobName" FROM "EvidenceFiles" WHERE "Id" = @id""", connection);
            blobName.Parameters.AddWithValue("id", Guid.Parse(stored["id"]!.GetValue<string>()));
            await (await ContainerAsync()).DeleteBlobAsync((string)(await blobName.ExecuteScalarAsync())!);
        }

        var missing = await _user.ExpectAsync(HttpStatusCode.NotFound, HttpMethod.Get, stored["contentUrl"]!.GetValue<string>());
        Assert.Contains("missing from storage", missing!["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task While_the_evidence_storage_is_stopped_uploads_and_downloads_answer_503_and_then_recover()
    {
        var app = stack.App;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var stored = (await _user.ExpectAsync(HttpStatusCode.Created, HttpMethod.Post, _evidencePath,
            content: ProductFlowTests.FileUpload("outage.txt", "before the outage\n"u8.ToArray())))!;
        var contentUrl = stored["contentUrl"]!.GetValue<string>();

        await using var states = ResourceWatch.Watch(app);
        await Drills.StopAsync(app, "evidence", timeout.Token);
        try
        {
            await states.WaitAsync("evidence", e => e.Snapshot.State?.Text is "Exited" or "Finished", timeout.Token);
            using (var download = await _user.SendAsync(HttpMethod.Get, contentUrl))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, download.StatusCode);
                Assert.Equal("application/problem+json", download.Content.Headers.ContentType?.MediaType);
                Assert.NotNull(download.Headers.RetryAfter);
            }

            using var upload = await _user.SendAsync(HttpMethod.Post, _evidencePath, content: ProductFlowTests.FileUpload("during.txt", "during\n"u8.ToArray()));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        }
        finally
        {
            await Drills.StartAgainAsync(app, "evidence");
        }

        using var after = await _user.SendAsync(HttpMethod.Get, contentUrl);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal("before the outage\n", await after.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_item_holds_at_most_50_files_and_of_two_uploads_for_the_last_place_at_once_one_is_stored()
    {
        const int MaxFiles = 50;
        var blobsBefore = await BlobCountAsync();
        for (var n = 1; n < MaxFiles; n++)
        {
            await UploadAsync(HttpStatusCode.Created, $"{n}.txt");
        }

        // Two uploads for the last place, held on the review's row until both wait there: each is past the count made
        // before the file is read, and counts again as it saves.
        await using var connection = new NpgsqlConnection(await stack.App.GetConnectionStringAsync("readiness"));
        await connection.OpenAsync();
        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.Conflict], await DatabaseLocks.StatusesOfLinedUpAsync(
            connection, """SELECT 1 FROM "Reviews" WHERE "Id" = @id FOR UPDATE""", _reviewId,
            () => _user.SendAsync(HttpMethod.Post, _evidencePath, content: ProductFlowTests.FileUpload("last-a.txt", "the last place\n"u8.ToArray())),
            () => _user.SendAsync(HttpMethod.Post, _evidencePath, content: ProductFlowTests.FileUpload("last-b.txt", "the last place\n"u8.ToArray()))));

        // Full: refused before a byte is read, and nothing more is stored.
        var full = await UploadAsync(HttpStatusCode.Conflict, "one-more.txt");
        Assert.Equal($"The item holds {MaxFiles} evidence files, the most it may; delete one to add another.", full!["detail"]!.GetValue<string>());
        var files = (await _user.ExpectAsync(HttpStatusCode.OK, HttpMethod.Get, _evidencePath))!.AsArray();
        Assert.Equal(MaxFiles, files.Count);
        Assert.Equal(blobsBefore + MaxFiles, await BlobCountAsync());

        // A file deleted makes room for one.
        var deleted = files[0]!;
        await _user.ExpectAsync(HttpStatusCode.NoContent, HttpMethod.Delete, $"/api/evidence/{deleted["id"]}", ifMatch: deleted["etag"]!.GetValue<string>());
        await UploadAsync(HttpStatusCode.Created, "after-a-delete.txt");
    }

    private Task<System.Text.Json.Nodes.JsonNode?> UploadAsync(HttpStatusCode expected, string name) =>
        _user.ExpectAsync(expected, HttpMethod.Post, _evidencePath, content: ProductFlowTests.FileUpload(name, System.Text.Encoding.UTF8.GetBytes($"evidence {name}\n")));

    private async Task<BlobContainerClient> ContainerAsync()
    {
        var container = new BlobServiceClient(await stack.App.GetConnectionStringAsync("evidence")).GetBlobContainerClient("evidence");
        await container.CreateIfNotExistsAsync();
        return container;
    }

    private async Task<int> BlobCountAsync()
    {
        var count = 0;
        await foreach (var _ in (await ContainerAsync()).GetBlobsAsync())
        {
            count++;
        }

        return count;
    }

    private static byte[] Text(int length) => [.. Enumerable.Repeat((byte)'a', length)];
}
