using System.Collections.Frozen;

namespace Scanner.Observatory;

/// <summary>Observatory's score table and grade chart (src/grader/charts.js).</summary>
public static class ObservatoryCharts
{
    /// <summary>Bonuses count only when the score without them reaches this.</summary>
    public const int MinimumScoreForExtraCredit = 90;

    public static FrozenDictionary<int, string> GradeChart { get; } = new Dictionary<int, string>
    {
        [100] = "A+",
        [95] = "A",
        [90] = "A",
        [85] = "A-",
        [80] = "B+",
        [75] = "B",
        [70] = "B",
        [65] = "B-",
        [60] = "C+",
        [55] = "C",
        [50] = "C",
        [45] = "C-",
        [40] = "D+",
        [35] = "D",
        [30] = "D",
        [25] = "D-",
        [20] = "F",
        [15] = "F",
        [10] = "F",
        [5] = "F",
        [0] = "F",
    }.ToFrozenDictionary();

    public static FrozenDictionary<string, int> ScoreModifiers { get; } = new Dictionary<string, int>
    {
        [Expectation.CspImplementedWithNoUnsafeDefaultSrcNone] = 10,
        [Expectation.CspImplementedWithNoUnsafe] = 5,
        [Expectation.CspImplementedWithUnsafeInlineInStyleSrcOnly] = 0,
        [Expectation.CspImplementedWithInsecureSchemeInPassiveContentOnly] = -10,
        [Expectation.CspImplementedWithUnsafeEval] = -10,
        [Expectation.CspImplementedWithUnsafeInline] = -20,
        [Expectation.CspImplementedWithInsecureScheme] = -20,
        [Expectation.CspHeaderInvalid] = -25,
        [Expectation.CspNotImplemented] = -25,
        [Expectation.CspNotImplementedButReportingEnabled] = -25,
        [Expectation.CspImplementedButDuplicateDirectives] = 0,
        [Expectation.CookiesSecureWithHttponlySessionsAndSamesite] = 5,
        [Expectation.CookiesSecureWithHttponlySessions] = 0,
        [Expectation.CookiesNotFound] = 0,
        [Expectation.CookiesWithoutSecureFlagButProtectedByHsts] = -5,
        [Expectation.CookiesSessionWithoutSecureFlagButProtectedByHsts] = -10,
        [Expectation.CookiesWithoutSecureFlag] = -20,
        [Expectation.CookiesSamesiteFlagInvalid] = -20,
        [Expectation.CookiesAnticsrfWithoutSamesiteFlag] = -20,
        [Expectation.CookiesSessionWithoutHttponlyFlag] = -30,
        [Expectation.CookiesSessionWithoutSecureFlag] = -40,
        [Expectation.CrossOriginResourceSharingNotImplemented] = 0,
        [Expectation.CrossOriginResourceSharingImplementedWithPublicAccess] = 0,
        [Expectation.CrossOriginResourceSharingImplementedWithRestrictedAccess] = 0,
        [Expectation.CrossOriginResourceSharingImplementedWithUniversalAccess] = -50,
        [Expectation.RedirectionAllRedirectsPreloaded] = 0,
        [Expectation.RedirectionToHttps] = 0,
        [Expectation.RedirectionNotNeededNoHttp] = 0,
        [Expectation.RedirectionOffHostFromHttp] = -5,
        [Expectation.RedirectionNotToHttpsOnInitialRedirection] = -10,
        [Expectation.RedirectionNotToHttps] = -20,
        [Expectation.RedirectionMissing] = -20,
        [Expectation.RedirectionInvalidCert] = -20,
        [Expectation.ReferrerPolicyPrivate] = 5,
        [Expectation.ReferrerPolicyNotImplemented] = 0,
        [Expectation.ReferrerPolicyUnsafe] = -5,
        [Expectation.ReferrerPolicyHeaderInvalid] = -5,
        [Expectation.HstsPreloaded] = 5,
        [Expectation.HstsImplementedMaxAgeAtLeastSixMonths] = 0,
        [Expectation.HstsImplementedMaxAgeLessThanSixMonths] = -10,
        [Expectation.HstsNotImplemented] = -20,
        [Expectation.HstsHeaderInvalid] = -20,
        [Expectation.HstsNotImplementedNoHttps] = -20,
        [Expectation.HstsInvalidCert] = -20,
        [Expectation.SriImplementedAndAllScriptsLoadedSecurely] = 5,
        [Expectation.SriImplementedAndExternalScriptsLoadedSecurely] = 5,
        [Expectation.SriNotImplementedResponseNotHtml] = 0,
        [Expectation.SriNotImplementedButNoScriptsLoaded] = 0,
        [Expectation.SriNotImplementedButAllScriptsLoadedFromSecureOrigin] = 0,
        [Expectation.SriNotImplementedButExternalScriptsLoadedSecurely] = -5,
        [Expectation.SriImplementedButExternalScriptsNotLoadedSecurely] = -20,
        [Expectation.SriNotImplementedAndExternalScriptsNotLoadedSecurely] = -50,
        [Expectation.XContentTypeOptionsNosniff] = 0,
        [Expectation.XContentTypeOptionsNotImplemented] = -5,
        [Expectation.XContentTypeOptionsHeaderInvalid] = -5,
        [Expectation.XFrameOptionsImplementedViaCsp] = 5,
        [Expectation.XFrameOptionsSameoriginOrDeny] = 0,
        [Expectation.XFrameOptionsAllowFromOrigin] = 0,
        [Expectation.XFrameOptionsNotImplemented] = -20,
        [Expectation.XFrameOptionsHeaderInvalid] = -20,
        [Expectation.CrossOriginResourcePolicyHeaderInvalid] = -5,
        [Expectation.CrossOriginResourcePolicyImplementedWithCrossOrigin] = 0,
        [Expectation.CrossOriginResourcePolicyImplementedWithSameOrigin] = 10,
        [Expectation.CrossOriginResourcePolicyImplementedWithSameSite] = 10,
        [Expectation.CrossOriginResourcePolicyNotImplemented] = 0,
        [Expectation.HtmlNotParseable] = -20,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>grader.js getScoreModifier: unknown results count 0.</summary>
    public static int ScoreModifier(string result) => ScoreModifiers.GetValueOrDefault(result);

    /// <summary>grader.js getGradeForScore: the score floored at 0 (not capped), the letter of its multiple of 5 (100 at most).</summary>
    public static (int Score, string Letter) GradeForScore(int score)
    {
        score = Math.Max(score, 0);
        var key = Math.Min(score - (score % 5), 100);
        return (score, GradeChart[key]);
    }
}
