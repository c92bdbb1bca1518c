# Delivery (issue "Delivery"): enqueue and deliver 1,000 announcements to a
# local receiver in one `herald announce`; deliveries per second and the
# time announce spends before its first network attempt.
section_deliver() {
	section "deliver: 1,000 announcements to a receiver on 127.0.0.1"
	noted deliver python3 "$BENCH/deliver.py" "$HERALD" "$OUT/deliver" 1000
}
SECTIONS="$SECTIONS deliver"
