package io.idempotency.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * Allows the lock that Lettuce 6.8 takes in {@code SharedLock.incrementWriters} each time it writes a command. The
 * lock is held only while a writer count is incremented, so a thread parks on it only when another thread writes to
 * the same connection at that instant, or while Lettuce flushes the commands it queued during a reconnect. Every
 * application that sends commands through Lettuce from an event loop takes this lock, and Lettuce 6.8.2 ships no
 * BlockHound integration that allows it.
 */
public class LettuceBlockHoundIntegration implements BlockHoundIntegration {

	@Override
	public void applyTo(BlockHound.Builder builder) {
		builder.allowBlockingCallsInside("io.lettuce.core.protocol.SharedLock", "incrementWriters");
	}

}
