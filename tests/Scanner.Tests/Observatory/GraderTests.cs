using Scanner.Observatory;

namespace Scanner.Tests.Observatory;

/// <summary>Observatory's test/grader.test.js, then scanner/index.js's use of it.</summary>
public sealed class GraderTests
{
    [Fact]
    public void Gets_the_score_modifier() => Assert.Equal(-25, ObservatoryCharts.ScoreModifier(Expectation.CspNotImplemented));

    [Theory]
    [InlineData(100, 100, "A+")]
    [InlineData(0, 0, "F")]
    [InlineData(120, 120, "A+")]
    [InlineData(-10, 0, "F")]
    public void Gets_the_grade(int score, int expectedScore, string expectedGrade) =>
        Assert.Equal((expectedScore, expectedGrade), ObservatoryCharts.GradeForScore(score));

    [Fact]
    public void Bonuses_count_from_90()
    {
        var grade = ObservatoryGrader.Grade([Test("a", -10), Test("b", 10), Test("c", 5), Test("d", 0)]);

        Assert.Equal(105, grade.Score);
        Assert.Equal(90, grade.ScoreBeforeBonuses);
        Assert.Equal("A+", grade.Letter);
        Assert.Equal(4, grade.Modifiers.Count);
        Assert.Equal(ObservatoryRubric.Version, grade.Rubric);
    }

    [Fact]
    public void Bonuses_do_not_count_below_90()
    {
        var grade = ObservatoryGrader.Grade([Test("a", -15), Test("b", 10)]);

        Assert.Equal(85, grade.Score);
        Assert.Equal(85, grade.ScoreBeforeBonuses);
        Assert.Equal("A-", grade.Letter);
    }

    private static ObservatoryTestResult Test(string name, int modifier) => new(name, "x", "y", modifier >= 0, modifier, null);
}

/// <summary>scanner/index.js: the status rule, the order of the tests and the grade of a whole retrieval.</summary>
public sealed class RubricTests
{
    [Fact]
    public void A_site_that_did_not_answer_fails()
    {
        var responses = new ObservatoryFixture().Responses() with { Auto = null };

        Assert.Equal("The site seems to be down.", Assert.Throws<ScanFailedException>(() => ObservatoryRubric.Analyze(responses)).Message);
    }

    [Theory]
    [InlineData(100)]
    [InlineData(404)]
    [InlineData(500)]
    public void An_unexpected_status_fails(int status)
    {
        var fixture = new ObservatoryFixture { AutoStatus = status };

        var failure = Assert.Throws<ScanFailedException>(() => ObservatoryRubric.Analyze(fixture.Responses()));

        Assert.Equal($"Site did respond with an unexpected HTTP status code {status}.", failure.Message);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(301)]
    [InlineData(401)]
    [InlineData(403)]
    public void Graded_statuses(int status) =>
        Assert.Equal(10, ObservatoryRubric.Analyze(new ObservatoryFixture { AutoStatus = status }.Responses()).Tests.Count);

    [Fact]
    public void Runs_the_ten_tests_in_order_and_grades_them()
    {
        var result = ObservatoryRubric.Analyze(new ObservatoryFixture("test_content_sri_no_scripts.html").Responses());

        Assert.Equal(
            [
                "content-security-policy", "cookies", "cross-origin-resource-sharing", "redirection", "referrer-policy",
                "strict-transport-security", "subresource-integrity", "x-content-type-options", "x-frame-options", "cross-origin-resource-policy",
            ],
            result.Tests.Select(test => test.Name));

        // csp -25, hsts -20, xcto -5, xfo -20: 30, a D.
        Assert.Equal(30, result.Grade.Score);
        Assert.Equal("D", result.Grade.Letter);
        Assert.Equal(result.Tests.Select(test => test.ScoreModifier), result.Grade.Modifiers.Select(modifier => modifier.Modifier));
    }
}
