import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import type { ScanHistoryPoint } from "../lib/types";
import { When } from "./ui";

/** Observatory's grade floors: the right-hand axis names the grade a score earns. */
const gradeFloors: [number, string][] = [
  [100, "A+"],
  [90, "A"],
  [80, "B+"],
  [70, "B"],
  [50, "C"],
  [30, "D"],
  [0, "F"],
];

const HEIGHT = 220;

/**
 * One environment's Observatory score over time (uPlot, on a canvas; its CSS is bundled, and it styles through the
 * CSSOM only, which the CSP allows). The canvas is described in words and the numbers are in a table below it.
 */
export function ScoreChart({ environment, points }: { environment: string; points: ScanHistoryPoint[] }) {
  const container = useRef<HTMLDivElement>(null);
  const headingId = `chart-${environment}`;
  const latest = points[points.length - 1];

  useEffect(() => {
    const element = container.current;
    if (!element || points.length === 0) return;
    const data: uPlot.AlignedData = [
      points.map((p) => Date.parse(p.finishedAt) / 1000),
      points.map((p) => p.score),
    ];
    const maxScore = Math.max(110, ...points.map((p) => p.score + 10));
    const times = data[0];
    const first = times[0] ?? 0;
    const last = times[times.length - 1] ?? first;
    const chart = new uPlot(
      {
        width: Math.max(280, element.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { drag: { x: false, y: false } },
        scales: {
          // From the data, not the range uPlot proposes: for a single point it proposes 86,400 / ms "days", which with
          // times in seconds is almost three years. Scans within an hour get a readable day around them.
          x: { time: true, range: () => (last - first < 3600 ? [first - 43_200, last + 43_200] : [first, last]) },
          y: { range: [0, maxScore] },
        },
        series: [
          {},
          { label: "Score", stroke: "#1f6f43", width: 2, fill: "rgba(31, 111, 67, 0.08)", points: { show: true, size: 7, fill: "#1f6f43" } },
        ],
        axes: [
          { stroke: "#4f5a53", grid: { stroke: "#e3e7e4" } },
          { stroke: "#4f5a53", label: "Score", grid: { stroke: "#e3e7e4" } },
          {
            scale: "y",
            side: 1,
            stroke: "#4f5a53",
            label: "Grade",
            grid: { show: false },
            splits: () => gradeFloors.map(([floor]) => floor),
            values: (_, splits) => splits.map((s) => gradeFloors.find(([floor]) => floor === s)?.[1] ?? ""),
          },
        ],
      },
      data,
      element,
    );
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(280, element.clientWidth), height: HEIGHT }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [points]);

  const first = points[0];
  const description = latest && first
    ? `Score of ${environment} over ${points.length} ${points.length === 1 ? "scan" : "scans"}: from ${first.score} (${first.grade}) to ${latest.score} (${latest.grade}).`
    : `No scans of ${environment}.`;

  return (
    <figure class="chart" aria-labelledby={headingId}>
      <figcaption id={headingId}>
        <strong>{environment}</strong>
        {latest && <> · latest grade <strong>{latest.grade}</strong> ({latest.score}), <When at={latest.finishedAt} /></>}
      </figcaption>
      <div class="chart-canvas" ref={container} role="img" aria-label={description} />
      <details>
        <summary>The numbers<span class="visually-hidden"> behind the chart of {environment}</span></summary>
        <div class="table-scroll" role="region" aria-label={`Scores of ${environment}`} tabIndex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Scan</th>
                <th scope="col">Finished</th>
                <th scope="col">Score</th>
                <th scope="col">Grade</th>
                <th scope="col">Profile grade</th>
                <th scope="col">Checklist</th>
              </tr>
            </thead>
            <tbody>
              {[...points].reverse().map((p) => (
                <tr key={p.scanId}>
                  <th scope="row">#{p.scanId}</th>
                  <td><When at={p.finishedAt} /></td>
                  <td>{p.score}</td>
                  <td>{p.grade}</td>
                  <td>{p.profileGrade} ({p.profileScore})</td>
                  <td>{p.checklistPassed} of {p.checklistTotal}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
