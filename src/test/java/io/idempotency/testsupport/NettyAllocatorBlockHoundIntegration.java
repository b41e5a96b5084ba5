package io.idempotency.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Allows the short lock that Netty 4.2's adaptive buffer allocator takes when it frees a magazine while it grows a
 * magazine group, which Netty's own BlockHound integration (4.2.15) does not list. The lock guards an in-memory
 * structure and is held for a few instructions, so it does not block an event loop in practice.
 */
public class NettyAllocatorBlockHoundIntegration implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$Magazine", "free");
		builder.allowBlockingCallsInside("io.netty.buffer.AdaptivePoolingAllocator$MagazineGroup", "free");
	}

}
