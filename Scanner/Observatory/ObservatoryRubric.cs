namespace Scanner.Observatory;

/// <summary>MDN HTTP Observatory's ten tests and its grader (mdn/mdn-http-observatory 1.4.8), ported one to one.</summary>
public static class ObservatoryRubric
{
    public const string Version = "mdn-http-observatory 1.4.8, algorithm 4";

    /// <summary>Runs the ten tests on a retrieval and grades them as Observatory's scanner does.</summary>
    /// <exception cref="ScanFailedException">The site did not answer, or answered with a status Observatory does not grade.</exception>
    public static ObservatoryResult Analyze(SiteResponses responses) => Analyze(responses, HstsPreloadList.Empty);

    /// <inheritdoc cref="Analyze(SiteResponses)"/>
    /// <param name="responses">The retrieval.</param>
    /// <param name="preloadList">The HSTS preload list (Observatory downloads one; see <see cref="HstsPreloadList"/>).</param>
    public static ObservatoryResult Analyze(SiteResponses responses, HstsPreloadList preloadList)
    {
        ArgumentNullException.ThrowIfNull(responses);

        // scanner/index.js: no connection at all, or a status other than 2xx, 3xx, 401 and 403, fails the scan.
        var status = responses.Auto?.Status ?? throw new ScanFailedException("The site seems to be down.");
        if (status < 200 || (status >= 400 && status is not (401 or 403)))
        {
            throw new ScanFailedException($"Site did respond with an unexpected HTTP status code {status}.");
        }

        var tests = Run(new ObservatoryRequests(responses, preloadList));
        return new ObservatoryResult(tests, ObservatoryGrader.Grade(tests));
    }

    /// <summary>The ten tests in Observatory's ALL_TESTS order (src/constants.js).</summary>
    public static IReadOnlyList<ObservatoryTestResult> Run(ObservatoryRequests requests) =>
    [
        CspTest.Run(requests).ToResult(),
        CookiesTest.Run(requests).ToResult(),
        CorsTest.Run(requests).ToResult(),
        RedirectionTest.Run(requests).ToResult(),
        ReferrerPolicyTest.Run(requests).ToResult(),
        StrictTransportSecurityTest.Run(requests).ToResult(),
        SubresourceIntegrityTest.Run(requests).ToResult(),
        XContentTypeOptionsTest.Run(requests).ToResult(),
        XFrameOptionsTest.Run(requests).ToResult(),
        CrossOriginResourcePolicyTest.Run(requests).ToResult(),
    ];
}
