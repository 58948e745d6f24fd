package api

import (
	"net/http"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/batonchat/baton/server/chat"
	"github.com/batonchat/baton/server/conversation"
	"github.com/batonchat/baton/server/site"
)

// The console's view of a site for its agents: who they can assign to (agents with presence,
// teams) and their inbox settings (views, quick responses). Never secrets.
func (h *handlers) bindDirectory(e *echo.Echo) {
	g := e.Group("/v1/sites", h.agentAuth)
	g.GET("/:key/directory", h.directory)
	g.GET("/:key/inbox", h.inboxSettings)
}

// siteOfAgent is the site with that key when the agent belongs to it; another site is not found.
func (h *handlers) siteOfAgent(c echo.Context) (*site.Loaded, error) {
	l, err := h.Sites.ByKey(c.Request().Context(), c.Param("key"))
	if err != nil || !agentOf(c).CanAccessSite(l.Site.ID) {
		return nil, chat.Errorf(chat.ENotFound, "site: no such site %q", c.Param("key"))
	}
	return l, nil
}

type directoryAgent struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Email    string `json:"email"`
	Presence string `json:"presence"` // online, away or offline
}

type directoryTeam struct {
	Name     string   `json:"name"`
	AgentIDs []string `json:"agent_ids"`
}

// directory lists the people of a site (admins included: they may answer every site) and its
// routing teams, for the console's assign menu.
func (h *handlers) directory(c echo.Context) error {
	l, err := h.siteOfAgent(c)
	if err != nil {
		return err
	}
	all, err := h.Store.Agents(c.Request().Context())
	if err != nil {
		return err
	}
	agents := []directoryAgent{}
	byEmail := map[string]string{}
	for _, a := range all {
		if a.Role == chat.RoleBot || !a.CanAccessSite(l.Site.ID) {
			continue
		}
		presence := "offline"
		if h.Realtime != nil && h.Realtime.Hub != nil {
			presence = h.Realtime.Hub.Presence(a.ID)
		}
		agents = append(agents, directoryAgent{ID: a.ID, Name: a.Name, Email: a.Email, Presence: presence})
		byEmail[strings.ToLower(a.Email)] = a.ID
	}
	sort.Slice(agents, func(i, j int) bool { return strings.ToLower(agents[i].Name) < strings.ToLower(agents[j].Name) })
	teams := []directoryTeam{}
	if r := l.Settings.Routing; r != nil {
		for _, t := range r.Teams {
			ids := []string{}
			for _, email := range t.Agents {
				if id, ok := byEmail[strings.ToLower(email)]; ok {
					ids = append(ids, id)
				}
			}
			teams = append(teams, directoryTeam{Name: t.Name, AgentIDs: ids})
		}
	}
	return c.JSON(http.StatusOK, map[string]any{"agents": agents, "teams": teams})
}

// inboxSettings serves the site's views and quick responses to its agents.
func (h *handlers) inboxSettings(c echo.Context) error {
	l, err := h.siteOfAgent(c)
	if err != nil {
		return err
	}
	views, quick := l.Settings.Views, l.Settings.QuickResponses
	if views == nil {
		views = []site.View{}
	}
	if quick == nil {
		quick = []site.QuickResponse{}
	}
	return c.JSON(http.StatusOK, map[string]any{"views": views, "quick_responses": quick})
}

// updateVisitor edits a visitor's details (name, email, phone, address) for an agent of the
// visitor's site. A verified email cannot be changed: it is the site's word.
func (h *handlers) updateVisitor(c echo.Context) error {
	var in struct {
		Name    *string `json:"name"`
		Email   *string `json:"email"`
		Phone   *string `json:"phone"`
		Address *string `json:"address"`
	}
	if err := bind(c, &in); err != nil {
		return err
	}
	v, err := h.Service.UpdateVisitor(c.Request().Context(), actorOf(c), c.Param("id"),
		conversation.VisitorDetails{Name: in.Name, Email: in.Email, Phone: in.Phone, Address: in.Address})
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"visitor": v})
}

// splitList reads a comma-separated query parameter ("" is none).
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	out := strings.Split(s, ",")
	for i := range out {
		out[i] = strings.TrimSpace(out[i])
	}
	return out
}
