import io
import os

import matplotlib
import pandas as pd
from flask import Flask, Response, render_template
from matplotlib.figure import Figure

# --8<-- [start:salt]
# Same data, same SVG bytes: fix the salt of the ids matplotlib writes into
# SVG files (they are random by default).
matplotlib.rcParams["svg.hashsalt"] = "flask-field-guide"
# --8<-- [end:salt]


# --8<-- [start:data]
def monthly_revenue(csv_path):
    """Revenue per month (rows) and region (columns), with totals."""
    sales = pd.read_csv(csv_path, parse_dates=["date"])
    sales["month"] = sales["date"].dt.strftime("%Y-%m")
    sales["revenue"] = sales["units"] * sales["unit_price"]
    return sales.pivot_table(
        index="month",
        columns="region",
        values="revenue",
        aggfunc="sum",
        fill_value=0,  # no sales in a region that month: 0, not NaN
        margins=True,  # a row and a column of totals...
        margins_name="Total",  # ...named "Total", not pandas's "All"
    )


# --8<-- [end:data]


# --8<-- [start:draw]
def draw_chart(csv_path, ink):
    """Revenue per month as stacked bars, an SVG with text and axes in `ink`."""
    by_month = monthly_revenue(csv_path).drop(index="Total", columns="Total")
    # A Figure of its own, not pyplot: no global state shared by requests.
    fig = Figure(figsize=(7, 3.2), layout="constrained")
    ax = fig.subplots()
    bottom = 0
    for region in by_month.columns:  # one stacked bar per month
        ax.bar(by_month.index, by_month[region], bottom=bottom, label=region)
        bottom = bottom + by_month[region]
    ax.set_ylabel("Revenue", color=ink)
    ax.tick_params(colors=ink)  # the ticks and their labels
    for spine in ax.spines.values():
        spine.set_color(ink)
    fig.legend(loc="outside right upper", frameon=False, labelcolor=ink)
    buffer = io.BytesIO()
    # transparent: no background of its own, so the page's colour shows through.
    fig.savefig(buffer, format="svg", transparent=True, metadata={"Date": None})
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


# --8<-- [end:draw]


def create_app(test_config=None):
    app = Flask(__name__)
    app.config.from_mapping(
        SALES_CSV=os.path.join(app.root_path, "data", "sales.csv"),
    )
    if test_config:
        app.config.update(test_config)

    # --8<-- [start:page]
    @app.get("/")
    def dashboard():
        revenue = monthly_revenue(app.config["SALES_CSV"])
        table = revenue.to_html(
            classes="report",
            border=0,
            float_format="{:,.2f}".format,
            index_names=False,
        )
        best = revenue["Total"].drop("Total").idxmax()
        return render_template("dashboard.html", table=table, best=best)

    # --8<-- [end:page]

    # --8<-- [start:chart]
    @app.get("/chart.svg")
    def chart():
        return draw_chart(app.config["SALES_CSV"], ink="#222222")

    @app.get("/chart-dark.svg")
    def chart_dark():
        return draw_chart(app.config["SALES_CSV"], ink="#e6e6e6")  # for dark pages

    # --8<-- [end:chart]

    return app
