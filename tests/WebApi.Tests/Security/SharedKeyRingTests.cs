using System.Diagnostics.Metrics;
using System.Net;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServiceDefaults.Security;

namespace WebApi.Tests.Security;

/// <summary>
/// What ServiceDefaults adds to whichever key store a service chooses (WebApi's is PostgreSQL, drilled in
/// AppHost.Tests' KeyRingDrill): one application name, so processes sharing a store accept each other's tokens; keys
/// encrypted with the configured certificate; and every failed read of the ring counted. A directory is the store here.
/// </summary>
public sealed class SharedKeyRingTests : IDisposable
{
    private readonly DirectoryInfo _store = Directory.CreateTempSubdirectory("keyring-");

    [Fact]
    public async Task A_token_issued_by_one_process_is_accepted_by_another_started_later_on_the_same_store()
    {
        string cookie, token;
        await using (var first = await SecureHost.StartAsync(customize: UseStore))
        {
            using var http = first.CreateClient();
            (cookie, token) = await SecurityPipelineTests.GetAntiforgeryTokenAsync(http);
        }

        await using var second = await SecureHost.StartAsync(customize: UseStore);
        using var secondHttp = second.CreateClient();
        using var response = await SecurityPipelineTests.PostWithTokenAsync(secondHttp, cookie, token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.NotEmpty(_store.GetFiles("*.xml"));
    }

    [Fact]
    public async Task A_token_is_rejected_by_a_process_with_its_own_key_ring()
    {
        string cookie, token;
        await using (var shared = await SecureHost.StartAsync(customize: UseStore))
        {
            using var http = shared.CreateClient();
            (cookie, token) = await SecurityPipelineTests.GetAntiforgeryTokenAsync(http);
        }

        await using var isolated = await SecureHost.StartAsync();
        using var isolatedHttp = isolated.CreateClient();
        using var response = await SecurityPipelineTests.PostWithTokenAsync(isolatedHttp, cookie, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task With_a_certificate_keys_are_stored_encrypted(bool inline)
    {
        using var certificate = new TestCertificate();
        var settings = new Dictionary<string, string?> { ["DataProtection:CertificatePassword"] = certificate.Password };
        if (inline)
        {
            settings["DataProtection:Certificate"] = Convert.ToBase64String(await File.ReadAllBytesAsync(certificate.Path));
        }
        else
        {
            settings["DataProtection:CertificatePath"] = certificate.Path;
        }

        await using (var host = await SecureHost.StartAsync(settings, UseStore))
        {
            using var http = host.CreateClient();
            await SecurityPipelineTests.GetAntiforgeryTokenAsync(http);
        }

        var keys = _store.GetFiles("*.xml").Select(file => File.ReadAllText(file.FullName)).ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Contains("EncryptedData", key, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_key_store_that_cannot_be_read_is_counted_as_a_key_ring_failure()
    {
        var failures = new List<(long Count, string? Operation)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == KeyRingMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            lock (failures)
            {
                failures.Add((value, tags.ToArray().FirstOrDefault(tag => tag.Key == "operation").Value as string));
            }
        });
        listener.Start();

        await using var host = await SecureHost.StartAsync(customize: builder =>
            builder.Services.Configure<KeyManagementOptions>(options => options.XmlRepository = new UnreadableStore()));
        var repository = host.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository!;

        Assert.Throws<IOException>(() => repository.GetAllElements());
        lock (failures)
        {
            Assert.Contains((1L, "read"), failures);
        }
    }

    public void Dispose() => _store.Delete(recursive: true);

    private void UseStore(WebApplicationBuilder builder) => builder.Services.AddDataProtection().PersistKeysToFileSystem(_store);

    private sealed class UnreadableStore : IXmlRepository
    {
        public IReadOnlyCollection<XElement> GetAllElements() => throw new IOException("the key store is away");

        public void StoreElement(XElement element, string friendlyName) => throw new IOException("the key store is away");
    }
}
