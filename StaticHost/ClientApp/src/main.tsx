import { render } from "preact";
import "uplot/dist/uPlot.min.css";
import "./styles/app.css";
import { App } from "./app";
import { startRouter } from "./lib/router";
import { loadSession } from "./lib/session";

startRouter();
void loadSession();
render(<App />, document.getElementById("app")!);
