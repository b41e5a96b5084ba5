package io.idempotency.benchmarks.report;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.text.DecimalFormat;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.jfree.chart.ChartFactory;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;

/**
 * Renders a {@link Report} as one PNG of six bar charts made with JFreeChart: end-to-end throughput, latency and
 * server CPU time per request, the wake-up of held duplicates, and in-process time and allocation per request.
 */
final class ChartRenderer {

	private static final int WIDTH = 1600;

	private static final int HEIGHT = 1500;

	private static final int HEADER = 90;

	private ChartRenderer() {
	}

	static void render(Report report, Path png) throws IOException {
		BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
		Graphics2D graphics = image.createGraphics();
		graphics.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
		graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
		graphics.setColor(Color.WHITE);
		graphics.fillRect(0, 0, WIDTH, HEIGHT);
		graphics.setColor(Color.BLACK);
		graphics.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 22));
		graphics.drawString("Idempotency filter cost against no filter, " + report.pass() + " pass", 20, 30);
		graphics.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
		graphics.drawString("Machine: " + report.machine().summary() + ". Load average at start (1, 5, 15 min): "
				+ report.machine().loadAverageAtStart() + ", at end: " + report.machine().loadAverageAtEnd(), 20, 55);
		graphics.drawString("Conditions: " + report.conditions(), 20, 77);

		List<JFreeChart> charts = List.of(throughput(report), latency(report), serverCpu(report), held(report),
				filterCost(report), filterAllocation(report));
		int chartWidth = WIDTH / 2;
		int chartHeight = (HEIGHT - HEADER) / 3;
		for (int i = 0; i < charts.size(); i++) {
			int x = (i % 2) * chartWidth;
			int y = HEADER + (i / 2) * chartHeight;
			charts.get(i).draw(graphics, new Rectangle2D.Double(x + 5, y + 5, chartWidth - 10, chartHeight - 10));
		}
		graphics.dispose();
		ImageIO.write(image, "png", png.toFile());
	}

	private static JFreeChart throughput(Report report) {
		LabelledDataset data = new LabelledDataset();
		for (Report.LoadFigure figure : report.load()) {
			data.add(figure.requestsPerSecond(), "requests/s", figure.store(), figure.throughputRatio());
		}
		String connections = (report.loadDetails() != null)
				? report.loadDetails().settings().connections() + " connections" : "not run";
		return bars("End to end: throughput, " + connections + " (x no filter; higher is better)", "requests/s",
				data);
	}

	private static JFreeChart latency(Report report) {
		LabelledDataset data = new LabelledDataset();
		for (Report.LoadFigure figure : report.load()) {
			data.add(figure.p50Micros(), "p50", figure.store(), figure.p50Ratio());
			data.add(figure.p99Micros(), "p99", figure.store(), figure.p99Ratio());
		}
		return bars("End to end: latency (x no filter; lower is better)", "microseconds", data);
	}

	private static JFreeChart serverCpu(Report report) {
		LabelledDataset data = new LabelledDataset();
		for (Report.LoadFigure figure : report.load()) {
			if (figure.serviceCpuMicros() != null) {
				data.add(figure.serviceCpuMicros(), "service", figure.store(), figure.serverCpuRatio());
			}
			if (figure.redisCpuMicros() != null) {
				data.add(figure.redisCpuMicros(), "redis-server", figure.store(), null);
			}
		}
		return bars("End to end: server CPU time per request (x no filter: service + redis; lower is better)",
				"CPU microseconds per request", data);
	}

	private static JFreeChart filterAllocation(Report report) {
		LabelledDataset data = new LabelledDataset();
		int bodySize = report.filterCost().stream().mapToInt(Report.FilterCost::bodySize).min().orElse(0);
		for (Report.FilterCost cost : report.filterCost()) {
			if (cost.bodySize() == bodySize && cost.allocatedBytes() != null) {
				data.add(cost.allocatedBytes(), cost.request(), cost.store(), cost.allocatedRatioToNoFilter());
			}
		}
		String body = (bodySize > 0) ? ", " + bodySize + "-byte body" : "";
		return bars("In-process (JMH): bytes allocated per request" + body + " (x no filter)", "bytes per request",
				data);
	}

	private static JFreeChart filterCost(Report report) {
		LabelledDataset data = new LabelledDataset();
		int bodySize = report.filterCost().stream().mapToInt(Report.FilterCost::bodySize).min().orElse(0);
		for (Report.FilterCost cost : report.filterCost()) {
			if (cost.bodySize() == bodySize && cost.micros() != null) {
				data.add(cost.micros(), cost.request(), cost.store(), cost.ratioToNoFilter());
			}
		}
		String body = (bodySize > 0) ? ", " + bodySize + "-byte body" : "";
		return bars("In-process (JMH): time per request" + body + " (x no filter; lower is better)",
				"microseconds per request", data);
	}

	private static JFreeChart held(Report report) {
		LabelledDataset data = new LabelledDataset();
		for (Report.HeldFigure figure : report.heldDuplicates()) {
			data.add(figure.wakeUpP50Micros(), "p50", figure.store(), null);
			data.add(figure.wakeUpP99Micros(), "p99", figure.store(), null);
		}
		JFreeChart chart = bars("Held duplicates: wake-up after the owner's complete call (log scale)", "microseconds",
				data);
		CategoryPlot plot = chart.getCategoryPlot();
		// A log scale keeps sub-millisecond medians visible beside p99 values of tens of milliseconds.
		LogAxis axis = new LogAxis("microseconds");
		axis.setSmallestValue(1);
		axis.setTickUnit(new NumberTickUnit(1));
		axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
		double highest = report.heldDuplicates().stream().mapToDouble(Report.HeldFigure::wakeUpP99Micros).max()
			.orElse(0);
		axis.setRange(1, Math.max(highest, Report.HELD_P99_TARGET_MICROS) * 3);
		plot.setRangeAxis(axis);
		ValueMarker target = new ValueMarker(Report.HELD_P99_TARGET_MICROS, Color.RED, new java.awt.BasicStroke(2f));
		target.setLabel("p99 target " + Report.HELD_P99_TARGET_MICROS + " us");
		target.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
		target.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
		plot.addRangeMarker(target);
		return chart;
	}

	private static JFreeChart bars(String title, String valueLabel, LabelledDataset data) {
		JFreeChart chart = ChartFactory.createBarChart(title, null, valueLabel, data.dataset, PlotOrientation.VERTICAL,
				true, false, false);
		chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
		chart.setBackgroundPaint(Color.WHITE);
		CategoryPlot plot = chart.getCategoryPlot();
		plot.setNoDataMessage("Not measured in this pass");
		plot.setBackgroundPaint(new Color(245, 245, 245));
		plot.setRangeGridlinePaint(Color.GRAY);
		BarRenderer renderer = (BarRenderer) plot.getRenderer();
		renderer.setBarPainter(new StandardBarPainter());
		renderer.setShadowVisible(false);
		renderer.setDefaultItemLabelGenerator(data);
		renderer.setDefaultItemLabelsVisible(true);
		renderer.setSeriesPaint(0, new Color(66, 110, 180));
		renderer.setSeriesPaint(1, new Color(230, 140, 50));
		return chart;
	}


	/**
	 * Bar values with item labels that show the value and, where given, its ratio to no filter.
	 */
	private static final class LabelledDataset extends StandardCategoryItemLabelGenerator {

		private final DefaultCategoryDataset dataset = new DefaultCategoryDataset();

		private final Map<String, Double> ratios = new HashMap<>();

		void add(Number value, String series, String store, Double ratio) {
			this.dataset.addValue(value, series, store);
			this.ratios.put(series + "/" + store, ratio);
		}

		@Override
		public String generateLabel(CategoryDataset dataset, int row, int column) {
			String label = super.generateLabel(dataset, row, column);
			Double ratio = this.ratios.get(dataset.getRowKey(row) + "/" + dataset.getColumnKey(column));
			return (ratio != null) ? label + " (" + ratio + "x)" : label;
		}

	}

}
