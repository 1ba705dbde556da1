using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ReadinessAspire.Testing;
using StackExchange.Redis;
using WebApi.Caching;
using WebApi.Tests.Security;

namespace WebApi.Tests.Caching;

/// <summary>The cache generations against a real redis-server: what a request reads, and what a write or an emptied Redis changes.</summary>
public sealed class CacheGenerationTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private ServiceProvider _services = null!;
    private ConnectionMultiplexer _admin = null!;

    public async Task InitializeAsync()
    {
        _services = Replica(redis.ConnectionString);
        _admin = await ConnectionMultiplexer.ConnectAsync($"{redis.ConnectionString},allowAdmin=true");
        await Server.FlushAllDatabasesAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _admin.DisposeAsync();
    }

    [Fact]
    public async Task A_request_reads_both_generations_in_one_round_trip_however_often_it_asks()
    {
        await ReadInNewRequestAsync(); // starts the counters
        await Server.ConfigResetStatisticsAsync();

        await using var request = _services.CreateAsyncScope();
        var snapshot = request.ServiceProvider.GetRequiredService<CacheGenerationSnapshot>();
        var forAuthentication = await snapshot.GetAsync();
        var forEndpoint = await snapshot.GetAsync();

        Assert.NotNull(forAuthentication);
        Assert.Equal(forAuthentication, forEndpoint);
        var calls = await CommandCallsAsync();
        Assert.Equal(1, calls.GetValueOrDefault("mget"));
        Assert.Equal(0, calls.GetValueOrDefault("get"));
    }

    [Fact]
    public async Task A_write_starts_a_new_generation_for_the_requests_after_it_and_leaves_the_other_scope()
    {
        await using var request = _services.CreateAsyncScope();
        var snapshot = request.ServiceProvider.GetRequiredService<CacheGenerationSnapshot>();
        var before = (await snapshot.GetAsync())!.Value;

        await _services.GetRequiredService<CacheGeneration>().BumpAsync();

        Assert.Equal(before, await snapshot.GetAsync());
        var after = await ReadInNewRequestAsync();
        Assert.Equal(before.Catalog + 1, after.Catalog);
        Assert.Equal(before.Tokens, after.Tokens);
    }

    [Fact]
    public async Task An_emptied_redis_starts_each_lost_counter_above_where_it_was_and_keeps_the_others()
    {
        var before = await ReadInNewRequestAsync();
        await Task.Delay(5); // a counter starts from the clock in microseconds, read to the millisecond

        await _admin.GetDatabase().KeyDeleteAsync("readiness:generation:tokens");
        var tokensLost = await ReadInNewRequestAsync();
        await Server.FlushAllDatabasesAsync();
        await Task.Delay(5);
        var bothLost = await ReadInNewRequestAsync();

        Assert.Equal(before.Catalog, tokensLost.Catalog);
        Assert.True(tokensLost.Tokens > before.Tokens, $"{tokensLost.Tokens} after {before.Tokens}");
        Assert.True(bothLost.Catalog > tokensLost.Catalog, $"{bothLost.Catalog} after {tokensLost.Catalog}");
        Assert.True(bothLost.Tokens > tokensLost.Tokens, $"{bothLost.Tokens} after {tokensLost.Tokens}");
    }

    [Fact]
    public async Task Without_redis_a_request_has_no_generation_so_its_reads_skip_the_cache()
    {
        await using var replica = Replica(Secrets.RedisConnectionString(redis.Password, FreeLoopbackPorts.One()));
        await using var request = replica.CreateAsyncScope();

        Assert.Null(await request.ServiceProvider.GetRequiredService<CacheGenerationSnapshot>().GetAsync());
    }

    private IServer Server => _admin.GetServer(_admin.GetEndPoints()[0]);

    private static ServiceProvider Replica(string connectionString)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration["ConnectionStrings:cache"] = connectionString;
        builder.AddReadinessCache();
        return builder.Services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true });
    }

    private async Task<CacheGenerations> ReadInNewRequestAsync()
    {
        await using var request = _services.CreateAsyncScope();
        var read = await request.ServiceProvider.GetRequiredService<CacheGenerationSnapshot>().GetAsync();
        Assert.NotNull(read);
        return read.Value;
    }

    /// <summary>Calls per command since the statistics were reset, from <c>INFO commandstats</c>.</summary>
    private async Task<Dictionary<string, int>> CommandCallsAsync()
    {
        var calls = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in await Server.InfoAsync("commandstats"))
        {
            foreach (var (name, value) in group)
            {
                // cmdstat_mget: calls=1,usec=3,usec_per_call=3.00,...
                var count = value.Split(',')[0]["calls=".Length..];
                calls[name["cmdstat_".Length..]] = int.Parse(count, CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }
}
