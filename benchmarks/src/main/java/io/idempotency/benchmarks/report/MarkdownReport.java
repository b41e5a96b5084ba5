package io.idempotency.benchmarks.report;

import java.util.Map;

import io.idempotency.benchmarks.load.LoadSettings;
import io.idempotency.benchmarks.load.StoreLoadResult;

/**
 * Renders a {@link Report} as Markdown tables for the benchmarks README.
 */
final class MarkdownReport {

	private MarkdownReport() {
	}

	static String render(Report report, String chartFile) {
		StringBuilder out = new StringBuilder();
		Machine machine = report.machine();
		out.append("Pass: ").append(report.pass()).append(", started ").append(machine.startedAt()).append(" UTC.\n");
		out.append("Machine: ").append(machine.cores()).append(" cores (").append(machine.cpuModel()).append("), ")
			.append(machine.memoryGib()).append(" GiB, ").append(machine.os()).append(", ").append(machine.jdk());
		if (machine.redis() != null) {
			out.append(", Redis ").append(machine.redis());
		}
		out.append(". Library revision ").append(machine.library()).append(".\n");
		out.append("Conditions: ").append(report.conditions()).append(" Load average (1, 5, 15 min) ")
			.append(machine.loadAverageAtStart()).append(" at the start, ").append(machine.loadAverageAtEnd())
			.append(" at the end.\n\n");
		out.append("![Benchmark chart](").append(chartFile).append(")\n\n");

		if (report.loadDetails() != null) {
			LoadSettings settings = report.loadDetails().settings();
			out.append("End to end, ").append(settings.connections()).append(" connections, ")
				.append(settings.rounds()).append(" rounds of ").append(settings.requests())
				.append(" requests per store (").append(Math.round(settings.mix().newKey() * 100)).append("% new keys, ")
				.append(Math.round(settings.mix().replay() * 100)).append("% replays, ")
				.append(Math.round(settings.mix().concurrentDuplicate() * 100))
				.append("% pairs of concurrent duplicates), ").append(settings.bodySize()).append("-byte bodies:\n\n");
			out.append("| Store | Requests/s (slowest to fastest round) | x no filter | p50 us | x no filter | p99 us "
					+ "| x no filter | Service CPU us/request | Redis CPU us/request | Server CPU x no filter | Failed |\n");
			out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
			for (Report.LoadFigure figure : report.load()) {
				out.append("| ").append(figure.store()).append(" | ").append(number(figure.requestsPerSecond()))
					.append(" (").append(number(figure.requestsPerSecondMin())).append(" to ")
					.append(number(figure.requestsPerSecondMax())).append(") | ").append(figure.throughputRatio())
					.append(" | ").append(figure.p50Micros()).append(" | ").append(figure.p50Ratio()).append(" | ")
					.append(figure.p99Micros()).append(" | ").append(figure.p99Ratio()).append(" | ")
					.append(orDash(figure.serviceCpuMicros())).append(" | ").append(orDash(figure.redisCpuMicros()))
					.append(" | ").append(orDash(figure.serverCpuRatio())).append(" | ").append(figure.failed())
					.append(" |\n");
			}
			out.append("\nWarm-up before the rounds, in chunks of ").append(settings.warmupChunkRequests())
				.append(" requests. It ended when the service's JIT compiler threads used at most 3% of its CPU time in "
						+ "2 chunks in a row:");
			for (StoreLoadResult store : report.loadDetails().stores()) {
				out.append(' ').append(store.store()).append(' ')
					.append((long) store.warmUpCpuMicros().size() * settings.warmupChunkRequests())
					.append(" requests (us per request by chunk: ").append(store.warmUpCpuMicros()).append(");");
			}
			out.setLength(out.length() - 1);
			out.append(".\n\n");
		}

		out.append("In-process, JMH, time per request (mean, with the 99.9% confidence half-width) and bytes allocated "
				+ "per request:\n\n");
		out.append("| Store | Request | Body bytes | us/request | +- | x no filter | Allocated B/request | x no filter |\n"
				+ "|---|---|---|---|---|---|---|---|\n");
		for (Report.FilterCost cost : report.filterCost()) {
			out.append("| ").append(cost.store()).append(" | ").append(cost.request()).append(" | ")
				.append(cost.bodySize()).append(" | ").append(cost.micros()).append(" | ")
				.append(orDash(cost.errorMicros())).append(" | ").append(cost.ratioToNoFilter()).append(" | ")
				.append(number(cost.allocatedBytes())).append(" | ").append(orDash(cost.allocatedRatioToNoFilter()))
				.append(" |\n");
		}
		out.append('\n');

		if (!report.storeOperations().isEmpty()) {
			out.append("Key store operations, JMH, one call at a time (complete = reserveThenComplete - reserve; "
					+ "x = over one whole in-process request without a filter):\n\n");
			out.append("| Store | Operation | Response bytes | us/op | +- | x no-filter request | Allocated B/op |\n"
					+ "|---|---|---|---|---|---|---|\n");
			for (Report.StoreOperation operation : report.storeOperations()) {
				out.append("| ").append(operation.store()).append(" | ").append(operation.operation()).append(" | ")
					.append(operation.responseBodySize()).append(" | ").append(operation.micros()).append(" | ")
					.append(orDash(operation.errorMicros())).append(" | ").append(operation.ratioToNoFilterRequest())
					.append(" | ").append(number(operation.allocatedBytes())).append(" |\n");
			}
			out.append('\n');
		}

		if (!report.roundTrips().isEmpty()) {
			out.append("Redis commands sent per request, counted with MONITOR (commands run inside Lua scripts "
					+ "left out):\n\n");
			out.append("| Probe | Requests | Commands per request | Commands |\n|---|---|---|---|\n");
			for (StoreLoadResult.RoundTrips probe : report.roundTrips()) {
				out.append("| ").append(probe.probe()).append(" | ").append(probe.requests()).append(" | ")
					.append(Report.round(probe.perRequest(), 2)).append(" | ").append(probe.byCommand()).append(" |\n");
			}
			out.append('\n');
		}

		if (!report.heldDuplicates().isEmpty()) {
			out.append("Held duplicates (wake-up: from the owner's complete call to the duplicate's wake-up, in the "
					+ "service; finish after owner: at the client):\n\n");
			out.append("| Store | Wake-up p50 us | p99 us | max us | Finish after owner p50 us | p99 us | "
					+ "Handler runs / keys |\n|---|---|---|---|---|---|---|\n");
			for (Report.HeldFigure held : report.heldDuplicates()) {
				out.append("| ").append(held.store()).append(" | ").append(held.wakeUpP50Micros()).append(" | ")
					.append(held.wakeUpP99Micros()).append(" | ").append(held.wakeUpMaxMicros()).append(" | ")
					.append(held.finishAfterOwnerP50Micros()).append(" | ").append(held.finishAfterOwnerP99Micros())
					.append(" | ").append(held.handlerExecutions()).append(" / ").append(held.keys()).append(" |\n");
			}
			out.append('\n');
		}

		out.append("Targets:\n\n| Target | Goal | Measured | Met |\n|---|---|---|---|\n");
		for (Report.Target target : report.targets()) {
			out.append("| ").append(target.name()).append(" | ").append(target.goal()).append(" | ")
				.append(target.measured()).append(" | ")
				.append((target.met() == null) ? "not measured" : (target.met() ? "yes" : "no")).append(" |\n");
		}
		for (Map.Entry<String, String> entry : report.notMeasured().entrySet()) {
			out.append("\nNot measured: ").append(entry.getKey()).append(", because ").append(entry.getValue())
				.append(".\n");
		}
		return out.toString();
	}

	private static String number(Double value) {
		return (value != null) ? String.valueOf(Math.round(value)) : "-";
	}

	private static String orDash(Double value) {
		return (value != null) ? String.valueOf(value) : "-";
	}

}
