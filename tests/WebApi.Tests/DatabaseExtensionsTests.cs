using Npgsql;
using WebApi.Data;

namespace WebApi.Tests;

public sealed class DatabaseExtensionsTests
{
    private const string ConnectionString = "Host=127.0.0.1;Port=5432;Username=postgres;Password=secret;Database=readiness";

    [Fact]
    public void The_pool_cap_applies_when_the_connection_string_sets_no_pool_size()
    {
        var capped = new NpgsqlConnectionStringBuilder(DatabaseExtensions.WithPoolCap(ConnectionString, 16));

        Assert.Equal(16, capped.MaxPoolSize);
        Assert.Equal("secret", capped.Password);
    }

    [Theory]
    [InlineData("Maximum Pool Size=40")]
    [InlineData("MaxPoolSize=40")]
    public void A_pool_size_in_the_connection_string_wins(string poolSetting)
    {
        var capped = new NpgsqlConnectionStringBuilder(DatabaseExtensions.WithPoolCap($"{ConnectionString};{poolSetting}", 16));

        Assert.Equal(40, capped.MaxPoolSize);
    }
}
