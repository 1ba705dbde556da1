namespace Scanner.Tests.Observatory;

/// <summary>The pages of Observatory's test/files, as they are there.</summary>
internal static class ObservatoryPages
{
    public static string Get(string name) => name switch
    {
        "test_content_sri_impl_external_http.html" => """
<html>
  <head>
    <script src="/static/js/foo.js"></script>
    <script src="http://fb.me/react-0.14.6.min.js"
            integrity="sha384-zTm/dblzLXQNp3CgY+hfaC/WJ6h4XtNrePh2CW2+rO9GPuNiPb9jmthvAL+oI/dQ"
            crossorigin="anonymous"></script>
    <script src="https://fb.me/react-0.14.7.min.js"
            integrity="sha384-zTm/dblzLXQNp3CgY+hfaC/WJ6h4XtNrePh2CW2+rO9GPuNiPb9jmthvAL+oI/dQ"
            crossorigin="anonymous"></script>
    <head>
  <body></body>
</html>
""",
        "test_content_sri_impl_external_https1.html" => """
<html>
  <head>
    <script src="/static/js/foo.js"></script>
    <script src="https://fb.me/react-0.14.7.min.js"
            integrity="sha384-zTm/dblzLXQNp3CgY+hfaC/WJ6h4XtNrePh2CW2+rO9GPuNiPb9jmthvAL+oI/dQ"
            crossorigin="anonymous">
    </script>
  <head>
  <body></body>
</html>
""",
        "test_content_sri_impl_external_https2.html" => """
<html>
  <head>
    <script src="/static/js/foo.js"></script>
    <script src="https://localhost/react-0.14.7.min.js"
            integrity="sha384-zTm/dblzLXQNp3CgY+hfaC/WJ6h4XtNrePh2CW2+rO9GPuNiPb9jmthvAL+oI/dQ"
            crossorigin="anonymous">
    </script>
  <head>
  <body></body>
</html>
""",
        "test_content_sri_impl_external_noproto.html" => """
<html>
  <head>
    <script src="//fb.me/react-0.14.6.min.js"
            integrity="sha384-zTm/dblzLXQNp3CgY+hfaC/WJ6h4XtNrePh2CW2+rO9GPuNiPb9jmthvAL+oI/dQ"
            crossorigin="anonymous"></script>
    <head>
  <body></body>
</html>
""",
        "test_content_sri_impl_sameorigin.html" => """
<html>
  <head>
    <script src="/static/js/react-0.14.7.min.js"
            integrity="sha384-zTm/dblzLXQNp3CgY+hfaC/WJ6h4XtNrePh2CW2+rO9GPuNiPb9jmthvAL+oI/dQ"
            crossorigin="anonymous">
    </script>
  <head>
  <body></body>
</html>
""",
        "test_content_sri_no_scripts.html" => """
        <html>
            <head></head>
            <body></body>
        </html>
""",
        "test_content_sri_notimpl_external_http.html" => """
<html>
  <head>
    <script src="/static/js/foo.js"></script>
    <script src="http://fb.me/react-0.14.6.min.js"></script>
    <head>
  <body></body>
</html>
""",
        "test_content_sri_notimpl_external_https.html" => """
<html>
  <head>
    <script src="/static/js/foo.js"></script>
    <script src="https://fb.me/react-0.14.7.min.js"></script>
  <head>
  <body></body>
</html>
""",
        "test_content_sri_notimpl_external_noproto.html" => """
<html>
  <head>
    <script src="/static/js/foo.js"></script>
    <script src="//fb.me/react-0.14.6.min.js"></script>
    <head>
  <body></body>
</html>
""",
        "test_content_sri_sameorigin1.html" => """
<html>
    <head>
      <script src="/static/js/foo.js"></script>
    </head>
    <body></body>
</html>
""",
        "test_content_sri_sameorigin2.html" => """
<html>
    <head>
      <script src="https://www.mozilla.org/static/js/foo.js"></script>
    </head>
    <body></body>
</html>
""",
        "test_content_sri_sameorigin3.html" => """
<html>
    <head>
      <script src="//www.mozilla.org/static/js/foo.js"></script>
    </head>
    <body></body>
</html>
""",
        "test_parse_http_equiv_headers_case_insensitivity.html" => """
<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="referRer" content="no-referrer, same-origin" />
    <title>Title</title>
  </head>
  <body></body>
</html>
""",
        "test_parse_http_equiv_headers_csp1.html" => """
<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="Content-Security-Policy" content="default-src 'none';" />
    <title>Title</title>
  </head>
  <body></body>
</html>
""",
        "test_parse_http_equiv_headers_csp2.html" => """
<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="Content-Security-Policy" content="default-src https:" />
    <title>Title</title>
  </head>
  <body></body>
</html>
""",
        "test_parse_http_equiv_headers_csp_multiple_http_equiv1.html" => """
<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />

    <meta
      http-equiv="Content-Security-Policy"
      content="default-src 'none'; object-src 'none'; media-src 'none';"
    />
    <meta
      http-equiv="Content-SECURITY-Policy"
      content="connect-src 'self'; font-src 'self'; child-src 'self'"
    />
    <meta
      http-equiv=" Content-Security-Policy "
      content="img-src 'self'; style-src 'self' 'nonce-gAeQO8jI4VJCsrsXkcUVRCzQjiihKteQ"
    />
    <meta
      http-equiv="Content-security-Policy"
      content="script-src 'self' 'unsafe-inline' 'nonce-gAeQO8jI4VJCsrsXkcUVRCzQjiihKteQ'"
    />
    <title>Title</title>
  </head>
  <body></body>
</html>
""",
        "test_parse_http_equiv_headers_not_allowed.html" => """
<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta
      http-equiv="Content-Security-Policy"
      content="frame-ancestors 'none'"
    />
    <title>Title</title>
  </head>
  <body></body>
</html>
""",
        "test_parse_http_equiv_headers_referrer1.html" => """
<!doctype html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta name="referrer" content="no-referrer, same-origin" />
    <title>Title</title>
  </head>
  <body></body>
</html>
""",
        "test_parse_http_equiv_headers_x_frame_options.html" => """
<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="UTF-8" />
    <meta http-equiv="X-Frame-Options" content="DENY" />
    <title>Title</title>
  </head>
  <body></body>
</html>
""",
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "No such page."),
    };
}
