// The oracle: MDN HTTP Observatory 1.4.8's own retriever, tests and grader against one host, printed as JSON.
//
//   NODE_EXTRA_CA_CERTS=ca.pem node observatory-scan.mjs HOSTNAME HTTP_PORT HTTPS_PORT
//
// Observatory's scan() (src/scanner/index.js) calls retrieve(hostname) without options, so it can only scan ports 80
// and 443. This harness calls retrieve() with the ports and then repeats the few lines of scan() that check the status,
// run ALL_TESTS and combine their modifiers into a score and grade (marked "scanner/index.js" below); nothing else of
// Observatory is replaced. Output: { tests: [{ name, result, scoreModifier, pass }], score, grade, statusCode } or
// { error } with exit code 1 when scan() would have thrown.

import { existsSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [hostname, httpPort, httpsPort] = process.argv.slice(2);
if (!hostname || !httpPort || !httpsPort) {
  console.error("usage: node observatory-scan.mjs HOSTNAME HTTP_PORT HTTPS_PORT");
  process.exit(2);
}

// The package's postinstall (skipped: `npm ci --ignore-scripts`, no internet) downloads Chromium's HSTS preload list
// into conf/hsts-preload.json, which analyzer/hsts.js reads on the first HSTS or redirection test. An empty list is
// what the scanner's port uses too (HstsPreloadList.Empty), and no test host (localhost) is preloaded anyway.
// The postinstall's other downloads are not read by a scan: the TLD list only by the API, the CA bundle only by
// `npm start` and bin/wrapper.js (NODE_EXTRA_CA_CERTS names the test CA instead).
const packageRoot = path.dirname(createRequire(import.meta.url).resolve("@mdn/mdn-http-observatory/package.json"));
const preloadList = path.join(packageRoot, "conf", "hsts-preload.json");
if (!existsSync(preloadList)) {
  writeFileSync(preloadList, "{}\n");
}

const { retrieve } = await import("@mdn/mdn-http-observatory/src/retriever/retriever.js");
const { ALL_TESTS } = await import("@mdn/mdn-http-observatory/src/constants.js");
const { MINIMUM_SCORE_FOR_EXTRA_CREDIT } = await import("@mdn/mdn-http-observatory/src/grader/charts.js");
const { getGradeForScore, getScoreModifier } = await import("@mdn/mdn-http-observatory/src/grader/grader.js");

const r = await retrieve(hostname, { httpPort: Number(httpPort), httpsPort: Number(httpsPort) });

// scanner/index.js: no connection at all, or a status other than 2xx, 3xx, 401 and 403, fails the scan.
if (!r.responses.auto) {
  console.log(JSON.stringify({ error: "The site seems to be down." }));
  process.exit(1);
}
const { status } = r.responses.auto;
if (status < 200 || (status >= 400 && ![401, 403].includes(status))) {
  console.log(JSON.stringify({ error: `Site did respond with an unexpected HTTP status code ${status}.` }));
  process.exit(1);
}

// scanner/index.js: every test, modifiers summed; bonuses count only when the score without them reaches the minimum.
const results = ALL_TESTS.map((test) => test(r));
let scoreWithExtraCredit = 100;
let uncurvedScore = scoreWithExtraCredit;
results.forEach((result) => {
  if (result.result) {
    result.scoreModifier = getScoreModifier(result.result);
    scoreWithExtraCredit += result.scoreModifier;
    if (result.scoreModifier < 0) {
      uncurvedScore += result.scoreModifier;
    }
  }
});
const score = uncurvedScore >= MINIMUM_SCORE_FOR_EXTRA_CREDIT ? scoreWithExtraCredit : uncurvedScore;
const final = getGradeForScore(score);

console.log(
  JSON.stringify({
    tests: results.map((result) => ({
      // scanner/index.js keys the tests by result.constructor.name: each Output class's static name.
      name: result.constructor.name,
      result: result.result,
      scoreModifier: result.scoreModifier,
      pass: result.pass,
    })),
    score: final.score,
    grade: final.grade,
    statusCode: status,
  })
);
// Observatory's keep-alive agents and abort timers would hold the process open for seconds.
process.exit(0);
