using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using WebApi.Http;

namespace WebApi.Tests;

public sealed class PreconditionsTests
{
    [Theory]
    [InlineData("\"7\"")]
    [InlineData("\"1\", \"7\"")]
    [InlineData("\"7\", W/\"1\"")]
    public void If_match_naming_the_current_version_among_its_tags_passes(string ifMatch)
    {
        Assert.Null(Check(ifMatch, current: 7, out var expected));
        Assert.Equal(7u, expected);
    }

    [Theory]
    // Two tags, neither current: the fuzz run's "1", "2" once made this throw (SingleOrDefault) and answer 500.
    [InlineData("\"1\", \"2\"")]
    [InlineData("\"1\"")]
    [InlineData("W/\"7\"")]
    [InlineData("*")]
    [InlineData("garbage")]
    [InlineData("\"4294967296\"")]
    [InlineData("\"-7\"")]
    public void If_match_naming_no_current_version_answers_412(string ifMatch)
    {
        Assert.Equal(StatusCodes.Status412PreconditionFailed, Check(ifMatch, current: 7, out _)?.StatusCode);
    }

    [Fact]
    public void No_if_match_answers_428()
    {
        Assert.Equal(StatusCodes.Status428PreconditionRequired, Check("", current: 7, out _)?.StatusCode);
    }

    private static ProblemHttpResult? Check(string ifMatch, uint current, out uint expected)
    {
        var http = new DefaultHttpContext();
        http.Request.Headers.IfMatch = ifMatch;
        return http.Request.CheckIfMatch(current, out expected);
    }
}
