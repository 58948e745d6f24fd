package realtime

// Presence is an agent's status as others see it: online or away while connected (their
// choice), offline without a connection. The console's assign menu shows it.
func (h *Hub) Presence(agentID string) string {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if st, ok := h.presence[agentID]; ok && len(h.agents[agentID]) > 0 {
		return st
	}
	return "offline"
}
