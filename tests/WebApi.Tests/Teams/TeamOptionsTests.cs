using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using WebApi.Teams;

namespace WebApi.Tests.Teams;

/// <summary>A team size the API cannot work with stops the start, naming the setting.</summary>
public sealed class TeamOptionsTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("10001")]
    public void A_member_limit_out_of_range_is_refused_with_its_name(string value)
    {
        using var host = Build(value);

        var refused = Assert.Throws<OptionsValidationException>(() => host.Services.GetRequiredService<IOptions<TeamOptions>>().Value);

        Assert.Contains("Teams:MaxMembers must be from 1 to 10000.", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_team_holds_200_members_unless_set_otherwise()
    {
        using (var defaults = Build(null))
        {
            Assert.Equal(200, defaults.Services.GetRequiredService<IOptions<TeamOptions>>().Value.MaxMembers);
        }

        using var larger = Build("10000");
        Assert.Equal(10_000, larger.Services.GetRequiredService<IOptions<TeamOptions>>().Value.MaxMembers);
    }

    private static IHost Build(string? maxMembers)
    {
        var builder = Host.CreateApplicationBuilder();
        if (maxMembers is not null)
        {
            builder.Configuration["Teams:MaxMembers"] = maxMembers;
        }

        builder.AddTeams();
        return builder.Build();
    }
}
