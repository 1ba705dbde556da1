using System.Net;
using ServiceDefaults.Security;
using StackExchange.Redis;

namespace WebApi.Tests.Security;

/// <summary>Data protection against a real Redis: one key ring for all processes, encrypted when a certificate is configured.</summary>
public sealed class SharedKeyRingTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_token_issued_by_one_replica_is_accepted_by_another_started_later()
    {
        // The class shares one Redis: start empty, so the key ring found at the end is the one these replicas wrote.
        await ClearKeyRingAsync();
        var settings = new Dictionary<string, string?> { ["ConnectionStrings:cache"] = redis.ConnectionString };
        string cookie, token;
        await using (var first = await SecureHost.StartAsync(settings))
        {
            using var http = first.CreateClient();
            (cookie, token) = await SecurityPipelineTests.GetAntiforgeryTokenAsync(http);
        }

        await using var second = await SecureHost.StartAsync(settings);
        using var secondHttp = second.CreateClient();
        using var response = await SecurityPipelineTests.PostWithTokenAsync(secondHttp, cookie, token);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.NotEmpty(await ReadKeyRingAsync());
    }

    [Fact]
    public async Task A_token_is_rejected_by_a_replica_with_its_own_key_ring()
    {
        string cookie, token;
        await using (var shared = await SecureHost.StartAsync(new Dictionary<string, string?> { ["ConnectionStrings:cache"] = redis.ConnectionString }))
        {
            using var http = shared.CreateClient();
            (cookie, token) = await SecurityPipelineTests.GetAntiforgeryTokenAsync(http);
        }

        await using var isolated = await SecureHost.StartAsync();
        using var isolatedHttp = isolated.CreateClient();
        using var response = await SecurityPipelineTests.PostWithTokenAsync(isolatedHttp, cookie, token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task With_a_certificate_keys_are_stored_encrypted()
    {
        using var certificate = new TestCertificate();
        await ClearKeyRingAsync();
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:cache"] = redis.ConnectionString,
            ["DataProtection:CertificatePath"] = certificate.Path,
            ["DataProtection:CertificatePassword"] = certificate.Password,
        };

        await using (var host = await SecureHost.StartAsync(settings))
        {
            using var http = host.CreateClient();
            await SecurityPipelineTests.GetAntiforgeryTokenAsync(http);
        }

        var keys = await ReadKeyRingAsync();
        Assert.NotEmpty(keys);
        Assert.All(keys, key =>
        {
            Assert.Contains("EncryptedData", key, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", key, StringComparison.Ordinal);
        });
    }

    private async Task<List<string>> ReadKeyRingAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        var entries = await connection.GetDatabase().ListRangeAsync(SharedDataProtection.RedisKey);
        return [.. entries.Select(entry => entry.ToString())];
    }

    private async Task ClearKeyRingAsync()
    {
        await using var connection = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await connection.GetDatabase().KeyDeleteAsync(SharedDataProtection.RedisKey);
    }
}
