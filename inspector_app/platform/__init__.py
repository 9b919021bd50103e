"""The machine under the tablet: clocks, durable files, settings, strict JSON documents."""
