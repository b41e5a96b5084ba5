package io.idempotency.benchmarks.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

import io.idempotency.benchmarks.load.LoadResults;

/**
 * Writes a pass's results: {@code <pass>.json}, {@code <pass>.md} and the chart {@code <pass>.png}.
 */
public final class ReportWriter {

	private ReportWriter() {
	}

	/**
	 * Builds the report and writes its three files into the results directory.
	 */
	public static void write(String pass, Machine machine, String conditions, List<JmhSuite.JmhScore> scores,
			LoadResults load, Map<String, String> notMeasured, Path results) throws IOException {
		Report report = Report.build(pass, machine, conditions, scores, load, notMeasured);
		Path jsonFile = results.resolve(pass + ".json");
		jsonMapper().writeValue(jsonFile.toFile(), report);
		render(report, results);
	}

	/**
	 * Reads a results JSON file and writes its chart and Markdown again, for example after a change of the chart.
	 */
	public static void render(Path jsonFile) throws IOException {
		Report report = jsonMapper().readValue(jsonFile.toFile(), Report.class);
		render(report, jsonFile.toAbsolutePath().getParent());
	}

	private static void render(Report report, Path results) throws IOException {
		String pass = report.pass();
		Path jsonFile = results.resolve(pass + ".json");
		Path chart = results.resolve(pass + ".png");
		ChartRenderer.render(report, chart);
		String markdown = MarkdownReport.render(report, "results/" + chart.getFileName());
		Files.writeString(results.resolve(pass + ".md"), markdown, StandardCharsets.UTF_8);
		System.out.println();
		System.out.println(markdown);
		System.out.println("[run] wrote " + jsonFile + ", " + chart + " and " + results.resolve(pass + ".md"));
	}

	private static JsonMapper jsonMapper() {
		return JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
	}

}
