"""Settings for each environment. Secrets never live here."""


class Config:
    """Defaults every environment shares."""

    CONFIG_NAME = "base"
    SECRET_KEY = None  # comes from FLASK_SECRET_KEY; required
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_SAMESITE = "Lax"
    ITEMS_PER_PAGE = 20


class DevelopmentConfig(Config):
    CONFIG_NAME = "development"
    SESSION_COOKIE_SECURE = False  # the development server speaks plain HTTP
    TEMPLATES_AUTO_RELOAD = True


class ProductionConfig(Config):
    CONFIG_NAME = "production"
    PREFERRED_URL_SCHEME = "https"


CONFIGS = {"development": DevelopmentConfig, "production": ProductionConfig}
