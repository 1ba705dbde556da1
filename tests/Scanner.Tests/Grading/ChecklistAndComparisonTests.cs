using Scanner.Checks;
using Scanner.Grading;

namespace Scanner.Tests.Grading;

public sealed class ChecklistAndComparisonTests
{
    [Fact]
    public void An_item_passes_when_none_of_its_non_info_findings_fail()
    {
        Finding[] findings =
        [
            FindingCatalogue.HstsMaxAge.Pass("max-age=63072000"),
            FindingCatalogue.HttpsRedirect.Fail("200"),
            FindingCatalogue.XContentTypeOptions.Pass("nosniff"),
            FindingCatalogue.ExposedGit.Unchecked("timeout"),
            FindingCatalogue.CookieSecure.NotApplicable("no cookies set"),
        ];
        var grade = ChecklistGrader.Grade(findings);
        Assert.Equal(["SEC-04", "SEC-06"], grade.Items.Select(item => item.ItemId));
        Assert.Equal(1, grade.Passed);
        Assert.Equal(2, grade.Total);
        Assert.Equal(0.5, grade.Share);
        var sec04 = grade.Items[0];
        Assert.False(sec04.Passed);
        Assert.Equal(["https-redirect"], sec04.FailingFindings);
        Assert.Equal(["hsts-max-age"], sec04.PassingFindings);
    }

    [Theory]
    [InlineData("A+", "A", true)]
    [InlineData("A", "A", true)]
    [InlineData("A-", "A", false)]
    [InlineData("F", "D-", false)]
    [InlineData("b+", "B", true)]
    public void Grades_compare_in_the_charts_order(string letter, string minimum, bool meets) =>
        Assert.Equal(meets, GradeScale.Meets(letter, minimum));

    [Fact]
    public void Unknown_letters_do_not_parse()
    {
        Assert.False(GradeScale.TryParse("Z", out _));
        Assert.True(GradeScale.TryParse("a+", out var letter));
        Assert.Equal("A+", letter);
    }

    [Fact]
    public void Comparison_lists_newly_failing_and_fixed_findings_and_the_grade_change()
    {
        var baseline = Sample.Report(score: 90, letter: "A", findings:
        [
            FindingCatalogue.HstsMaxAge.Fail("max-age=300"),
            FindingCatalogue.XContentTypeOptions.Pass("nosniff"),
            FindingCatalogue.ExposedGit.Pass("404"),
        ]);
        var current = Sample.Report(score: 75, letter: "B", findings:
        [
            FindingCatalogue.HstsMaxAge.Pass("max-age=63072000"),
            FindingCatalogue.XContentTypeOptions.Fail("no X-Content-Type-Options"),
            FindingCatalogue.ExposedGit.Unchecked("timeout"),
        ]);
        var comparison = ScanComparison.Compare(baseline, current);
        Assert.Equal(["x-content-type-options"], comparison.NewlyFailing.Select(finding => finding.Id));
        Assert.Equal(["hsts-max-age"], comparison.Fixed.Select(finding => finding.Id));
        Assert.Equal(GradeChange.Down, comparison.Change);
        Assert.Equal(-15, comparison.ScoreDelta);
        Assert.True(comparison.HasRegressions);
    }

    [Fact]
    public void Same_grade_and_no_new_failures_is_no_regression()
    {
        var baseline = Sample.Report(score: 70, letter: "B", findings: [FindingCatalogue.HstsMaxAge.Fail("max-age=300")]);
        var current = Sample.Report(score: 74, letter: "B", findings: [FindingCatalogue.HstsMaxAge.Fail("max-age=600")]);
        var comparison = ScanComparison.Compare(baseline, current);
        Assert.Equal(GradeChange.Same, comparison.Change);
        Assert.Equal(4, comparison.ScoreDelta);
        Assert.False(comparison.HasRegressions);
        Assert.Empty(comparison.NewlyFailing);
        Assert.Empty(comparison.Fixed);
    }
}
